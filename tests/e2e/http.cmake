# End-to-end tests of tonewired's HTTP layer: the API description against the route table
# and a running daemon.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  add_test(NAME e2e.api_document COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_api_document.py)
  set_tests_properties(e2e.api_document PROPERTIES TIMEOUT 240 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
