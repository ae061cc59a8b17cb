add_executable(bench_dsp ${CMAKE_CURRENT_SOURCE_DIR}/dsp.c)
target_link_libraries(bench_dsp PRIVATE tonewire_dsp tonewire_flags)
set_target_properties(bench_dsp PROPERTIES OUTPUT_NAME dsp RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
