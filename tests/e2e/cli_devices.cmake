# `tonewire devices` on every shipped interface as the simulator plays it (issue 12).
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.cli_devices test_cli_devices.py TIMEOUT 120)
endif()
