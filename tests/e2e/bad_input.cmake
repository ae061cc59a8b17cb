# Malformed input from every side (API, files, CLI) against the real tonewired and tonewire;
# the same table prints docs/bad-input.md (test_bad_input.py --markdown).
if(Python3_Interpreter_FOUND AND TARGET tonewired AND TARGET tonewire)
  tw_python_test(e2e.bad_input test_bad_input.py TIMEOUT 300)
endif()
