# The dashboard's "Learn a cable" card on the real station (tests/browser/learn.test.mjs):
# a first sample kept, a differing second one refused, an agreeing one saved and offered.
if(TARGET tonewired)
  add_test(NAME browser.learn
    COMMAND ${TW_NODE} run.mjs learn.test.mjs
    WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(browser.learn PROPERTIES
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}"
    TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS browser)
endif()
