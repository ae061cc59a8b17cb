# The service unit and the udev rules.
find_package(Python3 COMPONENTS Interpreter)
if(TARGET tonewired)
  add_test(NAME e2e.service_unit
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_service.sh
            ${PROJECT_SOURCE_DIR}/systemd/tonewired.service.in $<TARGET_FILE:tonewired>)
  set_tests_properties(e2e.service_unit PROPERTIES TIMEOUT 60 LABELS e2e)
endif()
if(Python3_Interpreter_FOUND)
  add_test(NAME e2e.udev_rules
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_udev.py
            ${PROJECT_SOURCE_DIR}/udev/70-tonewire.rules ${PROJECT_SOURCE_DIR}/udev/tonewire-jig
            ${PROJECT_SOURCE_DIR}/udev/jigs.conf)
  set_tests_properties(e2e.udev_rules PROPERTIES TIMEOUT 60 LABELS e2e)
endif()
