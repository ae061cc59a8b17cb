# A station on a line (issue 17): traceability, retest policy, certificates, forwarding to a real
# PostgreSQL (started by the test from Debian's postgresql package; skipped, 77, only when it is not
# installed), the line view, and three stations through an outage and a kill -9 (e2e.fleet).
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  foreach(group Trace Policy Certificate Forward LineView Schema)
    string(TOLOWER ${group} lower)
    tw_python_test(e2e.line_${lower} test_line.py ARGS ${group} TIMEOUT 300 LABELS e2e line)
  endforeach()
  tw_python_test(e2e.fleet test_fleet.py TIMEOUT 900 LABELS e2e line)
endif()
