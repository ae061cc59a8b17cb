# End-to-end tests of tonewired's HTTP layer: the API description against the route table and a
# running daemon; the security probes.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  add_test(NAME e2e.api_document COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_api_document.py)
  set_tests_properties(e2e.api_document PROPERTIES TIMEOUT 240 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
# Every security probe of the HTTP layer in one run, printed as a table (probe, expected, got):
# slow-connection floods, framing, JSON errors, browser headers, token, dashboard session.
# The floods open 768 connections: kept off a loaded machine.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  add_test(NAME e2e.http_security COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_http_security.py)
  set_tests_properties(e2e.http_security PROPERTIES TIMEOUT 300 LABELS e2e RUN_SERIAL TRUE SKIP_RETURN_CODE 77
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
