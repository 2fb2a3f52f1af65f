*** Settings ***
Documentation       Key the orders waiting in the work queue into Tryton as sale orders, exactly once each.
...
...                 For each order item: look for a sale whose Reference is the PO number first (a run
...                 stopped after Save has keyed it already); otherwise key the customer, the PO number
...                 and the lines, save, read the lines back and compare them with the order. Unknown
...                 customers or products, and lines Tryton kept differently, go to the exception queue
...                 with a screenshot. Run it inside o2c (bot run, audit log, evidence):
...
...                 o2c run robot robots/tasks/tryton_enter_orders.robot --variable TRYTON_URL:http://127.0.0.1:8000/
...
...                 (the password comes from the environment variable O2C_TRYTON_PASSWORD).
Resource            ../resources/tryton.resource
Suite Setup         Log In To Tryton    ${TRYTON_URL}    ${TRYTON_USER}    ${TRYTON_PASSWORD}
Suite Teardown      Close Browser


*** Variables ***
${TRYTON_URL}           http://127.0.0.1:8000/
${TRYTON_USER}          admin
${TRYTON_PASSWORD}      %{O2C_TRYTON_PASSWORD=}
${LIMIT}                0


*** Tasks ***
Enter The Waiting Orders In Tryton
    ${taken}=    For Each Work Item    Enter The Order In Tryton    kind=order    limit=${LIMIT}
    Log    ${taken} order(s) taken from the queue


*** Keywords ***
Saved Untaxed Total
    [Documentation]    The untaxed total the open sale shows, checked against ``expected`` (when known).
    [Arguments]    ${expected}
    ${shown}=    Read Field    untaxed
    ${untaxed}=    Number Shown    ${shown}
    IF    $expected is not None and $untaxed != $expected
        Raise Business Exception    Tryton shows an untaxed total of ${untaxed}, the order comes to ${expected}.
        ...    code=saved_differs
    END
    RETURN    ${untaxed}

Enter The Order In Tryton
    [Arguments]    ${item}
    ${order}=    Set Variable    ${item}[order]
    Start From A Clean Sales List
    ${expected}=    Expected Untaxed Total    ${order}
    # Check first: a sale saved before (a run stopped halfway) is not keyed again.
    ${existing}=    Find The Sale With Reference    ${order}[po_number]
    IF    $existing is not None
        # Saved by a run stopped before it could check and complete it: check it now.
        Open The Sale With Reference    ${order}[po_number]
        Saved Lines Should Be As Ordered    ${order}
        ${untaxed}=    Saved Untaxed Total    ${expected}
        Click    switch_view
        Set Suite Variable    ${TRYTON_CLEAN}    ${TRUE}
        Complete Work Item With    reference=${order}[po_number]    customer=${existing}[Party]
        ...    untaxed=${untaxed}    found_existing=yes
        RETURN
    END
    Key The Sale Order    ${order}
    Saved Lines Should Be As Ordered    ${order}
    ${untaxed}=    Saved Untaxed Total    ${expected}
    Click    switch_view
    Set Suite Variable    ${TRYTON_CLEAN}    ${TRUE}
    Complete Work Item With    reference=${order}[po_number]    customer=${order}[customer][name]
    ...    untaxed=${untaxed}
