# bench/accuracy: level/phase/latency error and fault-corpus classification against SNR, with a gnuplot PNG.
if(TARGET tonewire_station)
  add_executable(bench_accuracy ${CMAKE_CURRENT_SOURCE_DIR}/accuracy.c ${CMAKE_CURRENT_SOURCE_DIR}/accuracy_chain.c
                                ${CMAKE_CURRENT_SOURCE_DIR}/accuracy_score.c
                                ${CMAKE_CURRENT_SOURCE_DIR}/accuracy_report.c)
  target_link_libraries(bench_accuracy PRIVATE tonewire_station tonewire_profiles tonewire_dsp tonewire_flags m)
  target_compile_definitions(bench_accuracy PRIVATE TW_BENCH_DIR="${CMAKE_BINARY_DIR}/bench")
  set_target_properties(bench_accuracy PROPERTIES OUTPUT_NAME accuracy RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
