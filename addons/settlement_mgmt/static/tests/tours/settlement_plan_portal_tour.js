/** @odoo-module */

import { registry } from "@web/core/registry";

// A customer opens the payment plan proposed to it, signs it with its name
// and sees it active, with a button to pay the first instalment.
registry.category("web_tour.tours").add("settlement_plan_portal", {
    url: "/my/plans",
    steps: () => [
        {
            content: "Open the proposed plan",
            trigger: "a:contains('PLAN/')",
            run: "click",
        },
        {
            content: "Type the full name",
            trigger: ".o_settlement_plan_accept input[name=name]",
            run: "edit Credit Contact",
        },
        {
            content: "Accept",
            trigger: ".o_settlement_plan_accept button[type=submit]",
            run: "click",
        },
        {
            content: "The plan is confirmed",
            trigger: ".alert-success",
        },
        {
            content: "and can be paid online",
            trigger: "a.o_settlement_plan_pay",
        },
    ],
});
