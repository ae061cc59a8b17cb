# Where profiles come from: --profiles, $TONEWIRE_PROFILES, ~/.config and the daemon's
# [profiles] path reach the simulator; user files override shipped ones; an installed copy
# of the CLI forgets the build tree.
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewired AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.profiles_dirs test_profiles_dirs.py TIMEOUT 300)
endif()
