/* Backend menu walker, injected by test_backend_menu_walk.py into a logged-in
 * web client.  window.__settlementWalk.walk(menuId) opens the menu the way a
 * click does (menu service), then every view type its action offers; in a list
 * it expands the first group and opens the first record.  It returns what a
 * user would have met: error dialogs, JS errors, failed RPCs and technical
 * strings (model names with ids or empty recordsets) in the visible text. */
(function () {
    "use strict";
    if (window.__settlementWalk) {
        return;
    }
    const env = odoo.__WOWL_DEBUG__.root.env;
    const { rpcBus } = odoo.loader.modules.get("@web/core/network/rpc");
    const { App } = odoo.loader.modules.get("@odoo/owl");
    const TECHNICAL = /\b[a-z_]+\.[a-z_.]+\(|\b[a-z_]+\.[a-z_.]+,\d+/g;
    const state = { pending: new Set(), problems: [], steps: [] };

    function problem(text) {
        state.problems.push(text);
    }
    rpcBus.addEventListener("RPC:REQUEST", ({ detail }) => state.pending.add(detail.data.id));
    rpcBus.addEventListener("RPC:RESPONSE", ({ detail }) => {
        state.pending.delete(detail.data.id);
        if (detail.error) {
            const error = detail.error;
            problem(`RPC error on ${detail.data.params?.model || ""}.${
                detail.data.params?.method || ""}: ${error.data?.message || error.message}`);
        }
    });
    window.addEventListener("error", (event) => problem(`JS error: ${event.message}`));
    window.addEventListener("unhandledrejection", (event) =>
        problem(`Unhandled rejection: ${event.reason?.message || event.reason}`)
    );
    const consoleError = console.error.bind(console);
    console.error = (...args) => {
        problem(`console.error: ${args.map(String).join(" ")}`);
        consoleError(...args);
    };

    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

    function busy() {
        if (state.pending.size) {
            return true;
        }
        for (const app of App.apps) {
            if (app.scheduler.tasks.size) {
                return true;
            }
        }
        return Boolean(document.querySelector(".o_blockUI, .o_view_sample_data.o_loading"));
    }

    async function settle(where) {
        const deadline = Date.now() + 20000;
        let quiet = 0;
        while (quiet < 150) {
            await pause(30);
            quiet = busy() ? 0 : quiet + 30;
            if (Date.now() > deadline) {
                problem(`${where}: still loading after 20 s`);
                return;
            }
        }
        await new Promise((resolve) => requestAnimationFrame(resolve));
    }

    function visibleText() {
        const crumbs = document.querySelector(".o_breadcrumb")?.innerText || "";
        return `${document.body.innerText}\n${crumbs}\n${document.title}`;
    }

    function check(where) {
        state.steps.push(where);
        const dialog = document.querySelector(".o_error_dialog");
        if (dialog) {
            problem(`${where}: error dialog: ${dialog.innerText.slice(0, 400)}`);
        }
        const text = visibleText();
        if (/Oops!/.test(text)) {
            problem(`${where}: "Oops!" on the page`);
        }
        const found = new Set(text.match(TECHNICAL) || []);
        for (const value of found) {
            problem(`${where}: technical string "${value}"`);
        }
    }

    async function closeDialogs(where) {
        // An error dialog is reported, then closed so the walk goes on.
        for (const close of document.querySelectorAll(".o_error_dialog .btn-close, .o_error_dialog .btn-primary")) {
            close.click();
            await settle(where);
        }
        if (document.querySelector(".modal")) {
            await env.services.action.doAction({ type: "ir.actions.act_window_close" });
            await settle(where);
        }
        for (const close of document.querySelectorAll(".modal .btn-close")) {
            close.click();
            await settle(where);
        }
    }

    async function openFirstRecord(where, selector) {
        const target = document.querySelector(selector);
        if (!target) {
            return;
        }
        target.click();
        await settle(`${where} open`);
        const controller = env.services.action.currentController;
        if (controller?.view?.type === "form") {
            check(`${where} → ${controller.props?.resId ? "record" : "form"}`);
            await env.services.action.restore();
            await settle(`${where} back`);
        } else {
            check(`${where} → click`);
            await closeDialogs(where);
        }
    }

    async function walkList(where) {
        const group = document.querySelector(".o_group_header");
        if (group) {
            group.click();
            await settle(`${where} group`);
            check(`${where} group`);
        }
        await openFirstRecord(where, ".o_data_row td.o_data_cell:not(.o_list_button):not(.o_handle_cell)");
    }

    async function walk(menuId) {
        state.problems = [];
        state.steps = [];
        const menu = env.services.menu.getMenu(menuId);
        const where = menu.name;
        try {
            await env.services.menu.selectMenu(menuId);
            await settle(where);
            check(`${where}`);
            if (document.querySelector(".modal")) {
                await closeDialogs(where);
                return result();
            }
            const controller = env.services.action.currentController;
            if (controller?.action?.type !== "ir.actions.act_window") {
                return result();
            }
            const types = controller.views.map((view) => view.type);
            const multi = types.filter((type) => !["form", "search"].includes(type));
            for (const type of multi) {
                const label = `${where} [${type}]`;
                if (env.services.action.currentController.view.type !== type) {
                    await env.services.action.switchView(type);
                    await settle(label);
                    check(label);
                }
                if (type === "list") {
                    await walkList(label);
                } else if (type === "kanban" && !multi.includes("list")) {
                    await openFirstRecord(label, ".o_kanban_record:not(.o_kanban_ghost)");
                }
            }
        } catch (error) {
            problem(`${where}: ${error.message || error}`);
        }
        await closeDialogs(where);
        return result();
    }

    function result() {
        return JSON.stringify({ problems: state.problems, steps: state.steps });
    }

    // The checks must be able to fail: a technical value shown for a moment
    // is reported twice (record reference, empty recordset).
    function selfTest() {
        state.problems = [];
        const probe = document.createElement("div");
        probe.textContent = "settlement.dashboard,1 settlement.invoice.discount()";
        document.body.appendChild(probe);
        check("self-test");
        probe.remove();
        return state.problems.length;
    }

    window.__settlementWalk = { walk, settle, selfTest };
})();
