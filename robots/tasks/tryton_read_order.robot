*** Settings ***
Documentation       Read one sale order back from Tryton by its Reference (the customer's PO number):
...                 the customer, the untaxed total and every line, written to the log and to
...                 ${OUTPUT DIR}/sale-REFERENCE.json. Fails when no sale has that Reference.
...
...                 o2c run robot robots/tasks/tryton_read_order.robot --variable TRYTON_URL:http://127.0.0.1:8000/ --variable REFERENCE:4500012345
Resource            ../resources/tryton.resource
Library             OperatingSystem
Suite Setup         Log In To Tryton    ${TRYTON_URL}    ${TRYTON_USER}    ${TRYTON_PASSWORD}
Suite Teardown      Close Browser


*** Variables ***
${TRYTON_URL}           http://127.0.0.1:8000/
${TRYTON_USER}          admin
${TRYTON_PASSWORD}      %{O2C_TRYTON_PASSWORD=}
${REFERENCE}            ${EMPTY}


*** Tasks ***
Read The Sale Order Back
    Should Not Be Empty    ${REFERENCE}    Give the sale's Reference: --variable REFERENCE:4500012345
    ${found}=    Find The Sale With Reference    ${REFERENCE}
    Should Not Be Equal    ${found}    ${None}    Tryton has no sale with Reference ${REFERENCE}.
    Click    result_total    reference=${REFERENCE}
    Click    open_selected
    Use Screen    tryton/sale
    Field Should Be    reference    ${REFERENCE}
    ${customer}=    Read Field    party
    ${untaxed}=    Read Field    untaxed
    ${state}=    Read Field    state
    ${lines}=    Read Table    lines_table
    ${sale}=    Create Dictionary    reference=${REFERENCE}    customer=${customer}    untaxed=${untaxed}
    ...    state=${state}    lines=${lines}
    Log    ${sale}
    ${json}=    Evaluate    json.dumps($sale, indent=2)    modules=json
    Create File    ${OUTPUT DIR}/sale-${REFERENCE}.json    ${json}
