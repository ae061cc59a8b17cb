# Every connector of the shipped catalogue tested out of the box: each has a cable and a
# per-contact jig, and every cable in every jig that takes it passes when good and names its
# swap, polarity inversion, open and short (or says which of them the jig cannot tell apart).
if(Python3_Interpreter_FOUND AND TARGET tonewire AND TARGET tonewire_sim_pcm)
  tw_python_test(e2e.profiles_catalogue test_catalogue.py TIMEOUT 300)
endif()
