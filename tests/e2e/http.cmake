# End-to-end tests of tonewired's HTTP layer: the API description against the route table and a
# running daemon; the security probes.
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  tw_python_test(e2e.api_document test_api_document.py)
endif()
# Every security probe of the HTTP layer in one run, printed as a table (probe, expected, got):
# slow-connection floods, framing, JSON errors, browser headers, token, dashboard session.
# The floods open 768 connections: kept off a loaded machine.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  tw_python_test(e2e.http_security test_http_security.py TIMEOUT 300 RUN_SERIAL)
endif()
