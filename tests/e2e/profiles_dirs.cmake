# Where profiles come from: --profiles, $TONEWIRE_PROFILES, ~/.config and the daemon's
# [profiles] path reach the simulator; user files override shipped ones; an installed copy
# of the CLI forgets the build tree.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewired AND TARGET tonewire_sim_pcm)
  add_test(NAME e2e.profiles_dirs COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_profiles_dirs.py)
  set_tests_properties(e2e.profiles_dirs PROPERTIES TIMEOUT 300 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
