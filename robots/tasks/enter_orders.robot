*** Settings ***
Documentation       Key the orders waiting in the work queue into the ERP: one sales order each, never twice.
...
...                 Run it with the ERP's address and the bot's password, e.g.
...                 python -m robot --variable ERP_URL:http://127.0.0.1:8700 robots/tasks/enter_orders.robot
...                 (the password comes from the environment variable O2C_ERP_PASSWORD).
Library             robots.O2C    screenshot_dir=${OUTPUT DIR}    queue_url=${QUEUE_URL}
Suite Setup         Open The ERP And Log In
Suite Teardown      Close ERP Browser


*** Variables ***
${ERP_URL}          http://127.0.0.1:8700
${ERP_USER}         rpa-bot
${ERP_PASSWORD}     %{O2C_ERP_PASSWORD=}
${QUEUE_URL}        ${EMPTY}


*** Tasks ***
Enter The Waiting Orders
    ${waiting}=    Count Waiting Orders
    FOR    ${i}    IN RANGE    ${waiting}
        ${order}=    Take Next Order From Queue
        TRY
            Enter The Order In The ERP    ${order}
        EXCEPT    AS    ${problem}
            Send Order Item To Exceptions    ${problem}
        END
    END


*** Keywords ***
Open The ERP And Log In
    Open ERP Browser    ${ERP_URL}
    Log In To ERP    ${ERP_USER}    ${ERP_PASSWORD}

Enter The Order In The ERP
    [Arguments]    ${order}
    ${customer}=    Find Customer Number    ${order}[customer][name]    ${order}[customer][email]
    # Check first: an order saved before (a run stopped halfway) is not keyed again.
    ${existing}=    Find Sales Order By Customer PO    ${order}[po_number]    ${customer}
    IF    $existing
        Complete Order Item    ${existing}    found_existing=True
        RETURN
    END
    Enter Sales Order Header    ${customer}    ${order}[po_number]    ${order}[requested_date]    ${order}[ship_to]
    FOR    ${line}    IN    @{order}[lines]
        Add Order Line    ${line}[sku]    ${line}[quantity]    ${line}[unit_price]
    END
    ${number}=    Save Sales Order
    Sales Order Should Be Saved    ${number}
    Complete Order Item    ${number}
