# Every connector of the shipped catalogue tested out of the box: each has a cable and a
# per-contact jig, and every cable in every jig that takes it passes when good and names its
# swap, polarity inversion, open and short (or says which of them the jig cannot tell apart).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewire_sim_pcm)
  add_test(NAME e2e.profiles_catalogue COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_catalogue.py)
  set_tests_properties(e2e.profiles_catalogue PROPERTIES TIMEOUT 300 LABELS e2e
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
