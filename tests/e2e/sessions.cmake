# End to end on the real tonewired against the simulated jig: flex sessions (e2e.flex),
# verified golden calibration (e2e.calibrate) and a cable profile's limits (e2e.limits).
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  # A flex session streams at real-time pace for seconds: kept off a loaded machine.
  tw_python_test(e2e.flex test_flex.py RUN_SERIAL)
  tw_python_test(e2e.calibrate test_calibration.py)
  tw_python_test(e2e.limits test_cable_limits.py)
endif()
