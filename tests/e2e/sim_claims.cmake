# The simulated interface held by one program at a time, and freed when its holder dies (sim/loop.c).
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.sim_claims test_sim_claims.py TIMEOUT 120)
endif()
