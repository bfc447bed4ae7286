/** @odoo-module */

import { registry } from "@web/core/registry";

// A customer opens an invoice on its portal, disputes part of it and lands on
// the dispute page.
registry.category("web_tour.tours").add("settlement_dispute_portal", {
    url: "/my/invoices",
    steps: () => [
        {
            content: "Open the invoice",
            trigger: "a:contains('INV/')",
            run: "click",
        },
        {
            content: "Dispute it",
            trigger: "a.o_settlement_dispute_btn",
            run: "click",
        },
        {
            content: "Choose a reason",
            trigger: "select[name=reason_id]",
            run: "selectByIndex 1",
        },
        {
            content: "Dispute part of the amount",
            trigger: "input[name=amount]",
            run: "edit 120",
        },
        {
            content: "Explain",
            trigger: "textarea[name=message]",
            run: "edit Two pumps arrived with cracked housings.",
        },
        {
            content: "Send",
            trigger: ".o_settlement_dispute_form button[type=submit]",
            run: "click",
        },
        {
            content: "The dispute page confirms it",
            trigger: "#dispute_content .alert-success",
        },
        {
            content: "and shows the amount",
            trigger: ".o_portal_dispute_sidebar h2:contains('120')",
        },
    ],
});
