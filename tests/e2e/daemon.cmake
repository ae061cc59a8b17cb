# End-to-end tests of tonewired: the real daemon on a free port (port 0), a temporary
# store, the simulated jig; each group is its own CTest so ctest -j runs them side by side.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  foreach(group Results BusyAndEvents Malformed Security Unplug)
    string(TOLOWER ${group} lower)
    add_test(NAME e2e.daemon_${lower}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_daemon.py ${group})
    set_tests_properties(e2e.daemon_${lower} PROPERTIES TIMEOUT 240 LABELS e2e
      ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
  endforeach()
  # Real-time pace, with levels counted per second: kept off a loaded machine.
  set_tests_properties(e2e.daemon_busyandevents PROPERTIES RUN_SERIAL TRUE)
endif()

# The CLI and the daemon build one result object (station/): same keys and types.
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  add_test(NAME e2e.result_schema COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_result_schema.py)
  set_tests_properties(e2e.result_schema PROPERTIES TIMEOUT 240 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()

# A device that stays missing is logged once, then counted.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  add_test(NAME e2e.log_flood COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_log_flood.py)
  set_tests_properties(e2e.log_flood PROPERTIES TIMEOUT 60 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()

# Durability shown: an LD_PRELOAD shim records the daemon's fsyncs and replies.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  add_library(tw_sync_shim MODULE ${CMAKE_CURRENT_SOURCE_DIR}/e2e/sync_shim.c)
  target_link_libraries(tw_sync_shim PRIVATE ${CMAKE_DL_LIBS})
  set_target_properties(tw_sync_shim PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  add_test(NAME e2e.durability COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_durability.py)
  set_tests_properties(e2e.durability PROPERTIES TIMEOUT 120 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()

# Scans during a running test wait their turn (or are refused out loud).
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  add_test(NAME e2e.scan_queue COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_scan_queue.py)
  set_tests_properties(e2e.scan_queue PROPERTIES TIMEOUT 120 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
