"""The demo behind ``o2c demo``: the bundled world end to end, with the truth beside it.

    from bots.demo import DemoOptions, run_demo
    exit_code = run_demo(DemoOptions(seed=42))

On one machine with nothing else running, in ``$O2C_HOME/demo``, it

1. writes a scenario world (``sandbox.scenario``): emails, portal POs, open items,
   payments, bank files, remittance PDFs, and truth.json with the answers;
2. opens a work queue of its own (SQLite in ``$O2C_HOME/demo`` unless O2C_DATABASE_URL is set);
3. starts the sandbox ERP, customer portal and bank portal on free loopback ports;
4. runs the email-intake bot over the world's folder of .eml files;
5. runs the portal-intake bot against the sandbox portal in headless Chromium;
6. parses the remittance advices with the remittance parser;
7. exports the open items from the ERP's FBL5N screen in headless Chromium;
8. matches the bank statement's payments, with the parsed remittances, to the open items
   (those of the statement's first match: a later run judges the same payments the same way);
9. queues one work item per payment, exceptions in the exception queue with their reason;
10. runs the ERP order-entry bot on a few queued orders (``--erp-orders``; portal orders
    keyed for the world's portal customer);
11. runs the ERP cash-posting bot on a few applied payments (``--erp-payments``);

then prints what was taken in, read, applied, keyed and posted beside the truth (``bots.demo.report``).
Running it again in the same home queues nothing twice and keys or posts nothing twice
(the report counts duplicates in the ERP's own database). The steps live in
``bots.demo.steps``, the comparisons in ``bots.demo.compare``.
"""

from bots.demo.steps import STEPS, Demo, DemoFailed, DemoOptions, run_demo

__all__ = ["STEPS", "Demo", "DemoFailed", "DemoOptions", "run_demo"]
