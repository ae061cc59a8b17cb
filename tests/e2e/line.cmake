# A station on a line (issue 17): traceability, retest policy, certificates, forwarding to a real
# PostgreSQL, the line view, and three stations through an outage and a kill -9 (e2e.fleet). The
# PostgreSQL is a throw-away cluster the test starts from Debian's postgresql package, which
# scripts/deps installs: without it these tests fail; they are not skipped.
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  foreach(group Trace Policy Certificate Forward LineView Schema)
    string(TOLOWER ${group} lower)
    tw_python_test(e2e.line_${lower} test_line.py ARGS ${group} TIMEOUT 300 LABELS e2e line)
  endforeach()
  tw_python_test(e2e.fleet test_fleet.py TIMEOUT 900 LABELS e2e line)
endif()
