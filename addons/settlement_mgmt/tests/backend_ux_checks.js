/* Checks of issue #21 items 1-3 in the web client, run by test_backend_ux.py:
 * the test appends "run(<check>)" with the records it made. */
// The web client may still be starting when this code runs: run() waits.
let env;
const TECHNICAL = /\b[a-z_]+\.[a-z_.]+\(|\b[a-z_]+\.[a-z_.]+,\d+/;
async function until(condition, what, timeout = 20000) {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
        const value = condition();
        if (value) {
            await new Promise((resolve) => setTimeout(resolve, 150));
            return value;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("timed out waiting for " + what);
}
function expect(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}
function noErrorDialog(where) {
    const dialog = document.querySelector(".o_error_dialog");
    expect(!dialog, where + ": error dialog " + (dialog && dialog.innerText));
}
async function openForm(model, id) {
    await env.services.action.doAction(
        {type: "ir.actions.act_window", res_model: model, res_id: id,
         views: [[false, "form"]], target: "current"},
        {clearBreadcrumbs: true},
    );
    return until(
        () => document.querySelector(".o_form_view .o_form_sheet_bg"), model + " form");
}
function run(steps) {
    until(() => window.odoo && odoo.__WOWL_DEBUG__ && odoo.__WOWL_DEBUG__.root,
          "the web client", 60000).then((root) => {
        env = root.env;
        return steps();
    }).then(
        () => console.log("test successful"),
        (error) => console.error(error.message || String(error)),
    );
}

// 1. Open Receivables: a row renders, the pivot shows open amounts by age.
async function checkOpenReceivables() {
    const header = await until(() => document.querySelector(".o_group_header"),
                               "the customer groups");
    header.click();
    const due = await until(
        () => document.querySelector(".o_data_row .o_field_remaining_days"),
        "a receivable row with its days to the due date");
    noErrorDialog("expanded group");
    expect(due.innerText.trim() === "30 days ago", "due cell: " + due.innerText);
    document.querySelector(".o_switch_view.o_pivot").click();
    const pivot = await until(() => document.querySelector(".o_pivot table"), "pivot");
    const text = pivot.innerText;
    for (const expected of ["Not Due", "1–30", "91+",
                            "300.00", "1,000.00", "500.00", "1,800.00"]) {
        expect(text.includes(expected), "pivot lacks " + expected + ": " + text);
    }
    expect(!text.includes("1,200.00"), "pivot measures the original amount: " + text);
}

// 2. The dashboard opens from its menu as today's page, and stays so.
async function checkDashboard() {
    const menu = env.services.menu.getAll().find(
        (menu) => menu.xmlid === "settlement_mgmt.settlement_dashboard_menu");
    await env.services.menu.selectMenu(menu);
    const form = await until(() => document.querySelector(".o_form_view h2"),
                             "the dashboard figures");
    const crumbs = () => document.querySelector(".o_breadcrumb").innerText.trim();
    const overdue = () => document.querySelector("div[name=overdue]").innerText;
    expect(crumbs() === "Receivables Dashboard", "breadcrumb: " + crumbs());
    expect(!location.pathname.endsWith("/new"), "an unsaved record: " + location.pathname);
    expect(overdue().includes("1,500.00"), "overdue: " + overdue());
    document.querySelector("button[name=action_refresh]").click();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await until(() => document.querySelector("div[name=overdue]"), "the refreshed figures");
    noErrorDialog("refresh");
    expect(crumbs() === "Receivables Dashboard", "breadcrumb after refresh: " + crumbs());
    expect(overdue().includes("1,500.00"), "overdue after refresh: " + overdue());
    expect(!TECHNICAL.test(document.body.innerText), "technical string on the dashboard");
    expect(form, "form");
}

// 3. No technical value where a user reads.
async function checkTechnicalValues(ids) {
    for (const id of ids.invoices) {
        const form = await openForm("account.move", id);
        expect(!form.innerText.includes("Early Payment Offer"),
               "invoice " + id + " shows an early payment offer");
        expect(!TECHNICAL.test(document.body.innerText), "technical string, invoice " + id);
    }
    let form = await openForm("settlement.instalment.plan", ids.plan);
    const next = form.querySelector("div[name=next_line_id]").innerText;
    expect(next.includes("300.00") && next.includes(ids.next_due), "next instalment: " + next);
    expect(!TECHNICAL.test(document.body.innerText), "technical string on the plan");

    form = await openForm("settlement.dunning.communication", ids.reminder);
    expect(!form.querySelector("div[name=mail_message_id] a, a[href*='mail.message']"),
           "the reminder links to the technical mail.message form");
    const subject = form.querySelector("div[name=mail_subject]");
    expect(subject && subject.innerText.trim(), "the e-mail sent is not shown");
    form.querySelector("button[name=action_call_promise]").click();
    const title = await until(() => document.querySelector(".modal .modal-title"), "promise dialog");
    expect(title.innerText.trim() === "Promise to Pay", "dialog title: " + title.innerText);
    document.querySelector(".modal .btn-close").click();

    form = await openForm("res.partner", ids.partner);
    form.querySelector(".o_notebook_headers a[name=settlement_credit]").click();
    const usage = await until(() => form.querySelector("div[name=settlement_credit_usage]"),
                              "the Credit tab");
    const fill = usage.querySelector(".o_progress > div");
    expect(fill.classList.contains("bg-danger"), "over-limit bar: " + fill.className);
    expect(fill.style.width.includes("100%"), "over-limit bar width: " + fill.style.width);
    // 1,390 / 800 = 173.75 %, shown rounded by the progress bar.
    expect(usage.innerText.includes("174"), "credit usage: " + usage.innerText);
    const score = form.querySelector("div[name=settlement_risk_score]").parentElement;
    expect(score.innerText.includes("/ 100") && !score.innerText.includes("%"),
           "risk score: " + score.innerText);

    await env.services.action.doAction("settlement_mgmt.settlement_risk_score_action",
                                       {clearBreadcrumbs: true});
    const cell = await until(() => document.querySelector(".o_data_row td[name=score]"),
                             "risk score list");
    expect(cell.innerText.includes("/") && cell.innerText.includes("100")
           && !cell.innerText.includes("%"), "risk score column: " + cell.innerText);
}

// 10. Collections is an app of its own, its sections in a clear order, and
// Invoicing's Customers menu is core's again.
async function checkCollectionsApp() {
    const menus = env.services.menu;
    const app = menus.getApps().find((app) => app.xmlid === "settlement_mgmt.settlement_menu_root");
    expect(app && app.webIconData, "no Collections app with an icon");
    await menus.selectMenu(app);
    await until(() => document.querySelector(".o_form_view h2"), "the dashboard");
    const sections = [...document.querySelectorAll(".o_menu_sections > *")]
        .map((section) => section.innerText.trim())
        .filter(Boolean);
    const expected = ["Receivables Dashboard", "Worklist", "Customers", "Documents",
                      "Collection Cases", "Reporting", "Configuration"];
    expect(JSON.stringify(sections) === JSON.stringify(expected),
           "Collections sections: " + JSON.stringify(sections));
    const invoicing = menus.getApps().find((app) => app.xmlid === "account.menu_finance");
    const tree = menus.getMenuAsTree(invoicing.id);
    const names = [];
    const collect = (menu) => {
        names.push(menu.xmlid);
        menu.childrenTree.forEach(collect);
    };
    collect(tree);
    const ours = names.filter((xmlid) => xmlid && xmlid.startsWith("settlement_mgmt."));
    expect(!ours.length, "settlement menus left under Invoicing: " + ours.join(", "));
}

// 9. A partly paid, disputed invoice: core's "Partial" ribbon and our
// "Disputed" badge are both visible and do not cover each other.
async function checkRibbonAndBadges(ids) {
    await openForm("account.move", ids.invoice);
    const ribbon = await until(() => document.querySelector(".o_form_view .ribbon"),
                               "core's payment ribbon");
    const badge = await until(
        () => [...document.querySelectorAll(".o_settlement_move_badges .badge")]
            .find((node) => node.innerText.includes("Disputed")),
        "the Disputed badge");
    // The ribbon's text is upper-cased by CSS.
    expect(ribbon.innerText.toLowerCase().includes("partial"), "ribbon: " + ribbon.innerText);
    expect(document.querySelectorAll(".o_form_view .ribbon").length === 1,
           "a second ribbon is drawn");
    const a = ribbon.getBoundingClientRect();
    const b = badge.getBoundingClientRect();
    const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    expect(b.width > 0 && b.height > 0, "the badge is not drawn");
    expect(!overlap, "the badge lies under the ribbon");
    noErrorDialog("invoice form");
}

// 5. The hand run of reminders: previewed, each e-mail read (and editable) in
// its own dialog, a customer left out, the counts following.
async function checkReminderPreview(ids) {
    const lastModal = () => {
        const modals = document.querySelectorAll(".modal");
        return modals.length ? modals[modals.length - 1] : null;
    };
    const button = (modal, label) => [...modal.querySelectorAll("button")]
        .find((node) => node.innerText.trim() === label);
    await env.services.action.doAction("settlement_mgmt.settlement_dunning_run_action");
    const start = await until(() => lastModal() && button(lastModal(), "Preview") && lastModal(),
                              "the Send Reminders dialog");
    button(start, "Preview").click();
    // The preview comes back as the same wizard, in a dialog of its own.
    const wizard = await until(() => {
        const modal = lastModal();
        return modal && modal.querySelectorAll(".o_field_one2many .o_data_row").length >= 2
            && modal;
    }, "the previewed reminders");
    const rows = wizard.querySelectorAll(".o_field_one2many .o_data_row");
    noErrorDialog("preview");
    const count = () => wizard.querySelector("[name=reminder_count]").innerText.trim();
    const before = Number(count());
    expect(before === rows.length, "reminders to send: " + count() + " for " + rows.length);
    expect(!TECHNICAL.test(wizard.innerText), "technical string in the preview: "
           + (wizard.innerText.match(TECHNICAL) || [])[0]);
    const customerRow = () => [...wizard.querySelectorAll(".o_field_one2many .o_data_row")]
        .find((node) => node.innerText.includes(ids.customer));
    customerRow().querySelector("td[name=level_id]").click();
    const line = await until(() => lastModal() !== wizard && lastModal().innerText.includes(ids.invoice)
                             && lastModal(), "the customer's e-mail in its own dialog");
    expect(line.querySelector("[name=mail_subject] input").value.includes("[…]"),
           "subject: " + line.querySelector("[name=mail_subject] input").value);
    expect(line.querySelector("[name=mail_body]").innerText.includes("Pay online"),
           "the e-mail has no pay link");
    noErrorDialog("reminder e-mail");
    const close = button(line, "Save & Close") || button(line, "Close") || button(line, "Discard");
    close.click();
    await until(() => lastModal() === wizard, "back to the list");
    customerRow().querySelector(".o_field_boolean_toggle input").click();
    await until(() => Number(count()) === before - 1, "one reminder fewer to send");
    noErrorDialog("customer left out");
    // Nothing sent: the collector cancels.
    button(wizard, "Cancel").click();
    await until(() => !document.querySelector(".modal"), "the dialog closed");
}
