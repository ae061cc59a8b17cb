# The service unit and the udev rules.
if(TARGET tonewired)
  add_test(NAME e2e.service_unit
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_service.sh
            ${PROJECT_SOURCE_DIR}/systemd/tonewired.service.in $<TARGET_FILE:tonewired>)
  set_tests_properties(e2e.service_unit PROPERTIES TIMEOUT 60 LABELS e2e)
endif()
if(Python3_Interpreter_FOUND)
  tw_python_test(e2e.udev_rules test_udev.py ARGS ${PROJECT_SOURCE_DIR}/udev/70-tonewire.rules
    ${PROJECT_SOURCE_DIR}/udev/tonewire-jig ${PROJECT_SOURCE_DIR}/udev/jigs.conf TIMEOUT 60)
endif()
