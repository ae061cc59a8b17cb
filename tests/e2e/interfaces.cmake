# Every shipped interface profile through `tonewire run` on the simulator (issue 12).
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.interfaces test_interfaces.py TIMEOUT 300)
endif()
