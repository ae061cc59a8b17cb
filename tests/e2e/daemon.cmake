# End-to-end tests of tonewired: the real daemon on a free port (port 0), a temporary
# store, the simulated jig; each group is its own CTest so ctest -j runs them side by side.
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  foreach(group Results BusyAndEvents Malformed Security Unplug)
    string(TOLOWER ${group} lower)
    tw_python_test(e2e.daemon_${lower} test_daemon.py ARGS ${group})
  endforeach()
  # Start-up: its command line, the demo's default cable, stores it must not open, where it
  # listens and what it tells systemd; and the check that every test class of test_daemon.py is
  # run by one of these entries.
  tw_python_test(e2e.daemon_startup test_daemon.py ARGS CommandLine DemoDefaultCable StoreThatCannotOpen Listening
                 Groups)
  # Real-time pace, with levels counted per second: kept off a loaded machine.
  set_tests_properties(e2e.daemon_busyandevents PROPERTIES RUN_SERIAL TRUE)
endif()

# The CLI and the daemon build one result object (station/): same keys and types.
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  tw_python_test(e2e.result_schema test_result_schema.py TIMEOUT 240)
endif()

# A device that stays missing is logged once, then counted.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  tw_python_test(e2e.log_flood test_log_flood.py TIMEOUT 60)
endif()

# Durability shown: an LD_PRELOAD shim records the daemon's fsyncs and replies.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  add_library(tw_sync_shim MODULE ${CMAKE_CURRENT_SOURCE_DIR}/e2e/sync_shim.c)
  target_link_libraries(tw_sync_shim PRIVATE ${CMAKE_DL_LIBS})
  set_target_properties(tw_sync_shim PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  tw_python_test(e2e.durability test_durability.py TIMEOUT 120)
endif()

# Scans during a running test wait their turn (or are refused out loud).
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  tw_python_test(e2e.scan_queue test_scan_queue.py TIMEOUT 120)
endif()
