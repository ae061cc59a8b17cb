# Learning a cable from samples: tonewire learn (e2e.cli_learn) and POST /api/v1/learn
# (e2e.daemon_learn) — a first sample kept, a second one verifying it, the profile then
# testing cables; refusals save nothing.
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.cli_learn test_learn.py ARGS Learn TIMEOUT 300)
endif()
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewired AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.daemon_learn test_learn.py ARGS DaemonLearn DaemonLearnStereo TIMEOUT 300)
endif()
