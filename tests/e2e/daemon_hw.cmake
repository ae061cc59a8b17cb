# tonewired on simulated real interfaces: mixer settings, format in status and results (issue 12).
find_program(AMIXER amixer)
if(Python3_Interpreter_FOUND AND AMIXER AND TARGET tonewired AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.daemon_hw test_daemon_hw.py TIMEOUT 300)
endif()
