# The Line page, the operator and retest confirmation on the dashboard, and the certificate printed
# to PDF (A4, Letter; pdftotext checks what is on the page), against a real tonewired on a real
# PostgreSQL (tests/e2e/pglib.py) seeded with a week of three other stations (tests/e2e/line_data.py).
if(TARGET tonewired)
  add_test(NAME browser.line
    COMMAND ${TW_NODE} run.mjs line.test.mjs
    WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(browser.line PROPERTIES
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}"
    TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS "browser;line")
endif()
