*** Settings ***
Documentation       Key the orders waiting in the work queue into the ERP: one sales order each, never twice.
...
...                 Run it inside o2c (a bot run, the audit log, evidence on exceptions):
...                 o2c run robot robots/tasks/enter_orders.robot --variable ERP_URL:http://127.0.0.1:8700
...                 (the password comes from the environment variable O2C_ERP_PASSWORD).
Resource            ../resources/erp.resource
Suite Setup         Log In To The ERP    ${ERP_URL}    ${ERP_USER}    ${ERP_PASSWORD}
Suite Teardown      Close Browser


*** Variables ***
${ERP_URL}          http://127.0.0.1:8700
${ERP_USER}         rpa-bot
${ERP_PASSWORD}     %{O2C_ERP_PASSWORD=}


*** Tasks ***
Enter The Waiting Orders
    ${taken}=    For Each Work Item    Enter The Order    kind=order
    Log    ${taken} order(s) taken from the queue


*** Keywords ***
Enter The Order
    [Arguments]    ${item}
    ${order}=    Set Variable    ${item}[order]
    ${customer}=    Find Customer Number    ${order}[customer][name]
    # Check first: an order saved before (a run stopped halfway) is not keyed again.
    ${existing}=    Find Sales Order By Customer PO    ${order}[po_number]    ${customer}
    IF    $existing
        Complete Work Item With    sales_order=${existing}    found_existing=yes
        RETURN
    END
    ${number}=    Key The Sales Order    ${order}    ${customer}
    Complete Work Item With    sales_order=${number}
