# bench_classify: accuracy, false passes and time of the wiring classifier over its fault corpus.
add_executable(bench_classify ${CMAKE_CURRENT_SOURCE_DIR}/classify.c
  ${PROJECT_SOURCE_DIR}/tests/unit/classify_corpus.c ${PROJECT_SOURCE_DIR}/tests/unit/oracle.c ${PROJECT_SOURCE_DIR}/tests/unit/classify_corpus_faults.c)
target_include_directories(bench_classify PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
target_link_libraries(bench_classify PRIVATE tonewire_dsp tonewire_flags)
set_target_properties(bench_classify PROPERTIES OUTPUT_NAME classify
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
