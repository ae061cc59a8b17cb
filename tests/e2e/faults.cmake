# Faults: hot-plug, kill -9 (power loss), disk full / read-only store, and the install tree.
# Each daemon runs on port 0 in its own temporary folder, so these run side by side under ctest -j.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  foreach(t hotplug kill9 diskfull)
    tw_python_test(e2e.${t} test_${t}.py LABELS e2e faults)
  endforeach()
endif()
if(TARGET tonewired AND TARGET tonewire)
  add_test(NAME e2e.install
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_install.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(e2e.install PROPERTIES TIMEOUT 240 LABELS "e2e;faults")
endif()
