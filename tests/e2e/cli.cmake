# End-to-end tests of the tonewire CLI against the simulated jig.
if(Python3_Interpreter_FOUND AND TARGET tonewire)
  tw_python_test(e2e.cli test_cli.py TIMEOUT 300)
endif()
