# make demo's script: a taken port is named with a free one, before the banner; a free one serves.
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  tw_python_test(e2e.demo test_demo.py ARGS ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR} TIMEOUT 120)
endif()
