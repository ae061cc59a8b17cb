# End-to-end tests of hands-free testing ([station] trigger = auto): the real
# tonewired against the simulated jig, with insertions scripted in real time.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  tw_python_test(e2e.trigger test_trigger.py)
endif()
