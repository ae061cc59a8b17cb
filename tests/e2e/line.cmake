# A station on a line (issue 17): traceability, retest policy, certificates, forwarding to a real
# PostgreSQL (started by the test from Debian's postgresql package; skipped, 77, only when it is not
# installed), the line view, and three stations through an outage and a kill -9 (e2e.fleet).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  foreach(group Trace Policy Certificate Forward LineView Schema)
    string(TOLOWER ${group} lower)
    add_test(NAME e2e.line_${lower}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_line.py ${group})
    set_tests_properties(e2e.line_${lower} PROPERTIES TIMEOUT 300 LABELS "e2e;line" SKIP_RETURN_CODE 77
      ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
  endforeach()
  add_test(NAME e2e.fleet COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_fleet.py)
  set_tests_properties(e2e.fleet PROPERTIES TIMEOUT 900 LABELS "e2e;line" SKIP_RETURN_CODE 77
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
