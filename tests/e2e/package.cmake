# The Debian packages: made once from this build (package.build, into its own folder), then
# their split and control data, the maintainer scripts, lintian, dpkg into a scratch root,
# and no build-tree path in any installed file (test_package.py says what each proves).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET tonewired)
  set(TW_PACKAGE_TEST ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_package.py
      --build ${PROJECT_BINARY_DIR} --source ${PROJECT_SOURCE_DIR} --out ${PROJECT_BINARY_DIR}/package-test)
  add_test(NAME package.build COMMAND ${TW_PACKAGE_TEST} build)
  set_tests_properties(package.build PROPERTIES FIXTURES_SETUP tw_packages TIMEOUT 180 LABELS "e2e;package")
  foreach(mode contents scripts lintian dpkg_root build_paths)
    add_test(NAME package.${mode} COMMAND ${TW_PACKAGE_TEST} ${mode})
    set_tests_properties(package.${mode} PROPERTIES FIXTURES_REQUIRED tw_packages TIMEOUT 120
      SKIP_RETURN_CODE 77 LABELS "e2e;package")
  endforeach()
endif()
