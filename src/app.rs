//! The actix App: middleware stack and the one route table, which is also the access policy.

use crate::auth::middleware::{self as ctxmw, RequestId};
use crate::auth::roles::Role;
use crate::error::{AppError, ErrorPage};
use crate::state::AppState;
use crate::ui::{layout, Ctx};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpMessage, HttpResponse, Route};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login page, health check, static files).
    Public,
    /// Any signed-in user, even one who must first change a one-time password.
    SignedIn,
    /// Any signed-in user with a usable password.
    Authenticated,
    /// Signed-in users holding at least one of these roles.
    Roles(&'static [Role]),
    /// Other systems with an API token (checked by the handler, which answers JSON); sessions
    /// play no part.
    ApiToken,
}

impl Access {
    /// Whether a user with these roles (None = anonymous) gets through.
    pub fn allows(self, roles: Option<crate::auth::roles::RoleSet>) -> bool {
        match (self, roles) {
            (Access::Public | Access::ApiToken, _) => true,
            (_, None) => false,
            (Access::SignedIn | Access::Authenticated, Some(_)) => true,
            (Access::Roles(rs), Some(have)) => have.any(rs),
        }
    }
}

pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    route: Route,
}

fn def(method: Method, path: &'static str, access: Access, route: Route) -> RouteDef {
    RouteDef {
        method,
        path,
        access,
        route,
    }
}

/// A route for one method; a GET route answers HEAD too (the server sends no body for it).
fn method_route(m: Method) -> Route {
    if m == Method::GET {
        web::route()
            .guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
    } else {
        web::method(m)
    }
}

macro_rules! routes {
    ($($method:ident $path:literal $access:expr => $handler:path;)*) => {
        /// Every route of the application with its access rule. Nothing is served that is not
        /// listed here; the route×role test walks this same list.
        pub fn route_table() -> Vec<RouteDef> {
            vec![$(def(Method::$method, $path, $access, method_route(Method::$method).to($handler))),*]
        }
    };
}

pub const ADMIN: &[Role] = &[Role::Admin];
pub const STAFF: &[Role] = &[Role::Staff];
pub const KITCHEN: &[Role] = &[Role::Kitchen];
pub const KITCHEN_ADMIN: &[Role] = &[Role::Kitchen, Role::Admin];
/// The food-safety records: the kitchen and its manager.
pub const FOOD: &[Role] = &[Role::Kitchen, Role::KitchenManager];
/// Incidents are read by admins too (health details: managers and admins only).
pub const FOOD_INCIDENTS: &[Role] = &[Role::Kitchen, Role::KitchenManager, Role::Admin];
pub const KITCHEN_MANAGER: &[Role] = &[Role::KitchenManager];
/// Welfare: union officers keep it; accountants read dues; approvers and accountants read cases.
pub const DUES_READERS: &[Role] = &[Role::UnionOfficer, Role::Accountant];
pub const CASE_READERS: &[Role] = &[Role::UnionOfficer, Role::Approver, Role::Accountant];
pub const CASE_DECIDERS: &[Role] = &[Role::UnionOfficer, Role::Approver];
pub const PEOPLE_READERS: &[Role] = &[Role::Admin, Role::Accountant, Role::UnionOfficer];
pub const ACCOUNTANT: &[Role] = &[Role::Accountant];
pub const APPROVER: &[Role] = &[Role::Approver];
pub const UNION: &[Role] = &[Role::UnionOfficer];
/// Who signs months: accountants (the preparer) and approvers.
pub const SIGNERS: &[Role] = &[Role::Accountant, Role::Approver];
pub const ACCOUNTING_READERS: &[Role] = &[Role::Accountant, Role::Approver, Role::Admin];
pub const SALARY_READERS: &[Role] = &[Role::Accountant, Role::UnionOfficer, Role::Admin];
pub const ELIGIBILITY_READERS: &[Role] = &[
    Role::Accountant,
    Role::Approver,
    Role::UnionOfficer,
    Role::Admin,
];

use crate::canteen::{
    behalf, calendar, counter, dishes, headcount, history, menu, notices, pass, settings, staff,
    waste,
};
use crate::stats::catalogue::{DASHBOARD_READERS, PACK_READERS, REPORT_READERS};
use crate::{accounts, auth, home, people};
use Access::*;

routes! {
    GET "/" Authenticated => home::index;
    GET "/healthz" Public => home::healthz;
    GET "/static/style.css" Public => home::stylesheet;
    GET "/static/app.js" Public => home::script;
    GET "/lang/{code}" Public => home::set_lang;
    GET "/login" Public => auth::handlers::login_form;
    POST "/login" Public => auth::handlers::login;
    POST "/logout" SignedIn => auth::handlers::logout;
    GET "/password" SignedIn => auth::handlers::password_form;
    POST "/password" SignedIn => auth::handlers::password_change;
    GET "/units" Roles(PEOPLE_READERS) => people::units::list;
    POST "/units" Roles(ADMIN) => people::units::create;
    GET "/units/{id}" Roles(ADMIN) => people::units::edit_form;
    POST "/units/{id}" Roles(ADMIN) => people::units::update;
    GET "/people" Roles(PEOPLE_READERS) => people::handlers::list;
    GET "/people/new" Roles(ADMIN) => people::handlers::new_form;
    POST "/people" Roles(ADMIN) => people::handlers::create;
    GET "/people/export.csv" Roles(PEOPLE_READERS) => people::handlers::export_csv;
    GET "/people/import" Roles(ADMIN) => people::import::form;
    POST "/people/import" Roles(ADMIN) => people::import::upload;
    POST "/people/import/commit" Roles(ADMIN) => people::import::commit;
    POST "/people/import/rejected.csv" Roles(ADMIN) => people::import::rejected_csv;
    GET "/people/{id}" Roles(PEOPLE_READERS) => people::handlers::show;
    GET "/people/{id}/edit" Roles(ADMIN) => people::handlers::edit_form;
    POST "/people/{id}" Roles(ADMIN) => people::handlers::update;
    GET "/admin/users" Roles(ADMIN) => accounts::handlers::list;
    GET "/admin/users/new" Roles(ADMIN) => accounts::handlers::new_form;
    POST "/admin/users" Roles(ADMIN) => accounts::handlers::create;
    GET "/admin/users/{id}" Roles(ADMIN) => accounts::handlers::edit_form;
    POST "/admin/users/{id}" Roles(ADMIN) => accounts::handlers::update;
    POST "/admin/users/{id}/reset-password" Roles(ADMIN) => accounts::handlers::reset_password;
    GET "/admin/audit" Roles(ADMIN) => accounts::audit_page::page;
    GET "/admin/audit.xlsx" Roles(ADMIN) => accounts::audit_page::xlsx;
    GET "/admin/audit.csv" Roles(ADMIN) => accounts::audit_page::csv;
    GET "/week" Roles(STAFF) => staff::my_week;
    POST "/week" Roles(STAFF) => staff::save_week;
    GET "/standing" Roles(STAFF) => staff::standing_form;
    POST "/standing" Roles(STAFF) => staff::standing_save;
    GET "/absences" Roles(STAFF) => staff::absences;
    POST "/absences" Roles(STAFF) => staff::absence_add;
    POST "/absences/{id}/delete" Roles(STAFF) => staff::absence_delete;
    POST "/notices/read" Roles(STAFF) => notices::read;
    GET "/allergies" Roles(STAFF) => staff::allergies_form;
    POST "/allergies" Roles(STAFF) => staff::allergies_save;
    GET "/pass" Roles(STAFF) => pass::page;
    POST "/pass/rotate" Roles(STAFF) => pass::rotate;
    GET "/meals" Roles(STAFF) => pass::meals;
    POST "/meals/{id}/rate" Roles(STAFF) => pass::rate;
    GET "/history" Roles(STAFF) => history::mine;
    GET "/statement" Roles(STAFF) => crate::accounting::statement::my_statement;
    GET "/kitchen/history/{id}" Roles(KITCHEN_ADMIN) => history::of_person;
    GET "/kitchen/dishes" Roles(KITCHEN) => dishes::list;
    POST "/kitchen/dishes" Roles(KITCHEN) => dishes::create;
    GET "/kitchen/dishes/{id}" Roles(KITCHEN) => dishes::edit;
    POST "/kitchen/dishes/{id}" Roles(KITCHEN) => dishes::update;
    GET "/kitchen/menu" Roles(KITCHEN) => menu::menu;
    POST "/kitchen/menu/options" Roles(KITCHEN) => menu::option_add;
    GET "/kitchen/menu/options/{id}" Roles(KITCHEN) => menu::option_edit;
    POST "/kitchen/menu/options/{id}" Roles(KITCHEN) => menu::option_update;
    GET "/kitchen/menu/print" Roles(KITCHEN) => menu::print;
    POST "/kitchen/menu/options/{id}/delete" Roles(KITCHEN) => menu::option_delete;
    POST "/kitchen/menu/copy" Roles(KITCHEN) => menu::copy_week;
    POST "/kitchen/menu/publish" Roles(KITCHEN) => menu::publish_week;
    GET "/kitchen/calendar" Roles(KITCHEN) => calendar::page;
    POST "/kitchen/calendar/close" Roles(KITCHEN) => calendar::close_days;
    POST "/kitchen/calendar/open" Roles(KITCHEN) => calendar::open_day;
    GET "/kitchen/headcount" Roles(KITCHEN) => headcount::page;
    GET "/kitchen/headcount/print" Roles(KITCHEN) => headcount::print;
    GET "/kitchen/headcount.csv" Roles(KITCHEN) => headcount::csv;
    GET "/kitchen/headcount.xlsx" Roles(KITCHEN) => headcount::xlsx;
    GET "/kitchen/counter" Roles(KITCHEN) => counter::page;
    POST "/kitchen/counter" Roles(KITCHEN) => counter::scan;
    POST "/kitchen/counter/undo" Roles(KITCHEN) => counter::undo;
    POST "/kitchen/counter/walk-in" Roles(KITCHEN) => counter::walk_in;
    POST "/kitchen/counter/close" Roles(KITCHEN) => counter::close_service;
    GET "/kitchen/on-behalf" Roles(KITCHEN) => behalf::search;
    GET "/kitchen/on-behalf/{id}" Roles(KITCHEN) => behalf::week;
    POST "/kitchen/on-behalf/{id}" Roles(KITCHEN) => behalf::save;
    GET "/kitchen/report" Roles(KITCHEN) => waste::report;
    POST "/kitchen/waste" Roles(KITCHEN) => waste::save;
    GET "/accounting/month" Roles(ACCOUNTING_READERS) => crate::accounting::handlers::month;
    GET "/accounting/eligibility" Roles(ELIGIBILITY_READERS) => crate::subsidy::eligibility::list;
    GET "/accounting/funds" Roles(ELIGIBILITY_READERS) => crate::ledger::handlers::page;
    GET "/accounting/funds/{id}/report" Roles(ELIGIBILITY_READERS) => crate::ledger::report::page;
    GET "/accounting/funds/{id}/report.xlsx" Roles(ELIGIBILITY_READERS) => crate::ledger::report::xlsx;
    POST "/accounting/funds/{id}/budget" Roles(ACCOUNTANT) => crate::ledger::report::set_plan;
    GET "/accounting/policies" Roles(ACCOUNTING_READERS) => crate::subsidy::policies::list;
    GET "/accounting/salary" Roles(SALARY_READERS) => crate::subsidy::salary::page;
    POST "/accounting/salary" Roles(ACCOUNTANT) => crate::subsidy::salary::set;
    POST "/accounting/eligibility/confirm" Roles(ACCOUNTANT) => crate::subsidy::salary::confirm;
    POST "/accounting/policies" Roles(ACCOUNTANT) => crate::subsidy::policies::add;
    POST "/accounting/vouchers" Roles(ACCOUNTANT) => crate::ledger::handlers::post;
    POST "/accounting/vouchers/{id}/reverse" Roles(ACCOUNTANT) => crate::ledger::handlers::reverse;
    POST "/accounting/eligibility" Roles(ACCOUNTANT) => crate::subsidy::eligibility::add;
    POST "/accounting/month/close" Roles(ACCOUNTANT) => crate::accounting::handlers::close;
    GET "/accounting/payroll.xlsx" Roles(ACCOUNTING_READERS) => crate::accounting::handlers::payroll_xlsx;
    GET "/accounting/payroll.csv" Roles(ACCOUNTING_READERS) => crate::accounting::handlers::payroll_csv;
    POST "/accounting/month/reopen" Roles(APPROVER) => crate::accounting::handlers::reopen;
    POST "/accounting/adjustments" Roles(ACCOUNTANT) => crate::accounting::handlers::adjust;
    GET "/accounting/reconciliation" Roles(ACCOUNTING_READERS) => crate::accounting::reconciliation::page;
    GET "/accounting/reconciliation.xlsx" Roles(ACCOUNTING_READERS) => crate::accounting::reconciliation::xlsx;
    POST "/accounting/month/note" Roles(ACCOUNTANT) => crate::accounting::reconciliation::note;
    POST "/accounting/invoices" Roles(ACCOUNTANT) => crate::accounting::reconciliation::add_invoice;
    POST "/accounting/invoices/import" Roles(ACCOUNTANT) => crate::accounting::reconciliation::import_invoice;
    POST "/accounting/invoices/{id}/delete" Roles(ACCOUNTANT) => crate::accounting::reconciliation::delete_invoice;
    GET "/accounting/invoices/{id}/original" Roles(ACCOUNTING_READERS) => crate::accounting::reconciliation::original;
    GET "/accounting/suppliers" Roles(ACCOUNTING_READERS) => crate::suppliers::handlers::page;
    POST "/accounting/suppliers" Roles(ACCOUNTANT) => crate::suppliers::handlers::add_supplier;
    POST "/accounting/contracts" Roles(ACCOUNTANT) => crate::suppliers::handlers::add_contract;
    POST "/accounting/contracts/{id}/end" Roles(ACCOUNTANT) => crate::suppliers::handlers::end_contract;
    POST "/accounting/month/sign" Roles(SIGNERS) => crate::signoff::handlers::sign;
    POST "/accounting/eligibility/{id}/end" Roles(ACCOUNTANT) => crate::subsidy::eligibility::end;
    POST "/accounting/eligibility/proposals" Roles(UNION) => crate::subsidy::eligibility::propose;
    POST "/accounting/eligibility/proposals/{id}/accept" Roles(ACCOUNTANT) => crate::subsidy::eligibility::accept;
    POST "/accounting/eligibility/proposals/{id}/decline" Roles(ACCOUNTANT) => crate::subsidy::eligibility::decline;
    POST "/accounting/policies/{id}/end" Roles(ACCOUNTANT) => crate::subsidy::policies::end;
    GET "/accounting/subsidy.xlsx" Roles(ACCOUNTING_READERS) => crate::accounting::handlers::subsidy_xlsx;
    GET "/accounting/statements.xlsx" Roles(ACCOUNTING_READERS) => crate::accounting::handlers::statements_xlsx;
    GET "/accounting/month/report" Roles(ACCOUNTING_READERS) => crate::signoff::handlers::report;
    GET "/accounting/signing" Roles(ACCOUNTING_READERS) => crate::signoff::handlers::page;
    POST "/accounting/delegations" Roles(APPROVER) => crate::signoff::handlers::add_delegation;
    POST "/accounting/delegations/{id}/revoke" Roles(APPROVER) => crate::signoff::handlers::revoke;
    POST "/accounting/signatories" Roles(ADMIN) => crate::signoff::handlers::set_signatory;
    GET "/kitchen/food-safety" Roles(FOOD) => crate::foodsafety::day::page;
    POST "/kitchen/food-safety/settings" Roles(KITCHEN_MANAGER) => crate::foodsafety::day::save_settings;
    POST "/kitchen/food-safety/samples/{id}/discard" Roles(FOOD) => crate::foodsafety::day::discard;
    GET "/kitchen/food-safety/deliveries/new" Roles(FOOD) => crate::foodsafety::deliveries::form;
    POST "/kitchen/food-safety/deliveries" Roles(FOOD) => crate::foodsafety::deliveries::create;
    GET "/kitchen/food-safety/checks/{id}" Roles(FOOD) => crate::foodsafety::checks::page;
    POST "/kitchen/food-safety/checks/{id}/prep" Roles(FOOD) => crate::foodsafety::checks::save_prep;
    POST "/kitchen/food-safety/checks/{id}/serve" Roles(FOOD) => crate::foodsafety::checks::save_serve;
    POST "/kitchen/food-safety/checks/{id}/sample" Roles(FOOD) => crate::foodsafety::checks::save_sample;
    GET "/kitchen/food-safety/print" Roles(FOOD) => crate::foodsafety::print::page;
    GET "/kitchen/food-safety/certificates" Roles(FOOD) => crate::foodsafety::certificates::page;
    POST "/kitchen/food-safety/certificates" Roles(FOOD) => crate::foodsafety::certificates::create;
    GET "/kitchen/food-safety/certificates/{id}/scan" Roles(FOOD) => crate::foodsafety::certificates::scan;
    GET "/kitchen/food-safety/incidents" Roles(FOOD_INCIDENTS) => crate::foodsafety::incidents::list;
    POST "/kitchen/food-safety/incidents" Roles(KITCHEN_MANAGER) => crate::foodsafety::incidents::report;
    GET "/kitchen/food-safety/incidents/{id}" Roles(FOOD_INCIDENTS) => crate::foodsafety::incidents::trace;
    POST "/kitchen/food-safety/incidents/{id}/close" Roles(KITCHEN_MANAGER) => crate::foodsafety::incidents::close;
    GET "/welfare/organisations" Roles(UNION) => crate::welfare::orgs::list;
    POST "/welfare/organisations" Roles(UNION) => crate::welfare::orgs::create;
    GET "/welfare/organisations/{id}" Roles(UNION) => crate::welfare::orgs::show;
    POST "/welfare/organisations/{id}/members" Roles(UNION) => crate::welfare::orgs::join;
    POST "/welfare/organisations/{id}/dissolve" Roles(UNION) => crate::welfare::orgs::dissolve;
    POST "/welfare/organisations/{id}/fund" Roles(UNION) => crate::welfare::orgs::set_fund;
    POST "/welfare/organisations/{id}/import" Roles(UNION) => crate::welfare::member_import::upload;
    POST "/welfare/organisations/{id}/import/commit" Roles(UNION) => crate::welfare::member_import::commit;
    POST "/welfare/memberships/{id}/end" Roles(UNION) => crate::welfare::orgs::end_membership;
    POST "/welfare/memberships/{id}/exempt" Roles(UNION) => crate::welfare::orgs::exempt;
    GET "/welfare/people/{id}" Roles(UNION) => crate::welfare::orgs::person;
    POST "/welfare/people/{id}/dependants" Roles(UNION) => crate::welfare::orgs::add_dependant;
    GET "/welfare/dues" Roles(DUES_READERS) => crate::welfare::dues_pages::month;
    GET "/welfare/dues.xlsx" Roles(DUES_READERS) => crate::welfare::dues_pages::xlsx;
    POST "/welfare/dues/generate" Roles(UNION) => crate::welfare::dues_pages::generate;
    POST "/welfare/dues/{id}/pay" Roles(UNION) => crate::welfare::dues_pages::pay;
    POST "/welfare/dues/collect-payroll" Roles(UNION) => crate::welfare::dues_pages::collect_payroll;
    GET "/welfare/arrears" Roles(DUES_READERS) => crate::welfare::dues_pages::arrears;
    GET "/welfare/dues/rules" Roles(DUES_READERS) => crate::welfare::dues_pages::rules_page;
    POST "/welfare/dues/rules" Roles(UNION) => crate::welfare::dues_pages::add_rule;
    POST "/welfare/dues/suspensions" Roles(UNION) => crate::welfare::dues_pages::add_suspension;
    GET "/welfare/cases" Roles(CASE_READERS) => crate::welfare::case_pages::list;
    POST "/welfare/cases" Roles(UNION) => crate::welfare::case_pages::report;
    GET "/welfare/cases/{id}" Roles(CASE_READERS) => crate::welfare::case_pages::show;
    POST "/welfare/cases/{id}/decide" Roles(CASE_DECIDERS) => crate::welfare::case_pages::decide;
    POST "/welfare/cases/{id}/pay" Roles(CASE_READERS) => crate::welfare::case_pages::pay;
    GET "/welfare/benefits" Roles(CASE_READERS) => crate::welfare::case_pages::benefits;
    POST "/welfare/benefits" Roles(UNION) => crate::welfare::case_pages::add_benefit;
    GET "/my/welfare" Roles(STAFF) => crate::welfare::case_pages::mine;
    GET "/welfare/occasions" Roles(CASE_DECIDERS) => crate::welfare::occasion_pages::list;
    POST "/welfare/occasions" Roles(UNION) => crate::welfare::occasion_pages::create;
    GET "/welfare/occasions/{id}" Roles(CASE_DECIDERS) => crate::welfare::occasion_pages::show;
    GET "/welfare/occasions/{id}/print" Roles(CASE_DECIDERS) => crate::welfare::occasion_pages::print;
    GET "/welfare/occasions/{id}/list.xlsx" Roles(CASE_DECIDERS) => crate::welfare::occasion_pages::xlsx;
    POST "/welfare/occasions/{id}/rows" Roles(UNION) => crate::welfare::occasion_pages::add_line;
    POST "/welfare/occasions/rows/{id}/remove" Roles(UNION) => crate::welfare::occasion_pages::remove_line;
    POST "/welfare/occasions/{id}/freeze" Roles(CASE_DECIDERS) => crate::welfare::occasion_pages::freeze;
    POST "/welfare/occasions/rows/{id}/received" Roles(UNION) => crate::welfare::occasion_pages::received;
    POST "/welfare/occasions/{id}/sheet" Roles(UNION) => crate::welfare::occasion_pages::upload_sheet;
    GET "/welfare/occasions/{id}/sheet" Roles(CASE_DECIDERS) => crate::welfare::occasion_pages::sheet;
    GET "/welfare/milestones" Roles(UNION) => crate::welfare::occasion_pages::milestones;
    GET "/welfare/milestones.csv" Roles(UNION) => crate::welfare::occasion_pages::milestones_csv;
    GET "/welfare/milestones.xlsx" Roles(UNION) => crate::welfare::occasion_pages::milestones_xlsx;
    GET "/welfare/reminders" Roles(UNION) => crate::welfare::reminders::page;
    GET "/welfare/retirees" Roles(UNION) => crate::welfare::retiree_pages::list;
    GET "/welfare/retirees.csv" Roles(UNION) => crate::welfare::retiree_pages::csv;
    GET "/welfare/retirees.xlsx" Roles(UNION) => crate::welfare::retiree_pages::xlsx;
    GET "/welfare/retirees/{id}" Roles(UNION) => crate::welfare::retiree_pages::show;
    POST "/welfare/retirees/{id}" Roles(UNION) => crate::welfare::retiree_pages::save;
    POST "/welfare/retirees/{id}/pensions" Roles(UNION) => crate::welfare::retiree_pages::add_pension;
    POST "/welfare/retirees/{id}/visits" Roles(UNION) => crate::welfare::retiree_pages::add_visit;
    POST "/welfare/retirees/{id}/death" Roles(UNION) => crate::welfare::retiree_pages::record_death;
    GET "/reports" Roles(REPORT_READERS) => crate::stats::handlers::catalogue_page;
    GET "/reports/packs" Roles(PACK_READERS) => crate::stats::pack_pages::list;
    GET "/reports/packs/{id}/pack.xlsx" Roles(PACK_READERS) => crate::stats::pack_pages::xlsx;
    GET "/reports/packs/{id}/print" Roles(PACK_READERS) => crate::stats::pack_pages::print;
    GET "/reports/{id}" Roles(REPORT_READERS) => crate::stats::handlers::report;
    GET "/reports/{id}/print" Roles(REPORT_READERS) => crate::stats::handlers::print;
    GET "/reports/{id}/export.csv" Roles(REPORT_READERS) => crate::stats::handlers::csv;
    GET "/reports/{id}/export.xlsx" Roles(REPORT_READERS) => crate::stats::handlers::xlsx;
    GET "/dashboard" Roles(DASHBOARD_READERS) => crate::stats::dashboard::page;
    GET "/api/v1/openapi.json" Public => crate::api::openapi::openapi;
    GET "/api/v1/reports/{id}" ApiToken => crate::api::handlers::report;
    GET "/admin/api-tokens" Roles(ADMIN) => crate::api::admin::list;
    POST "/admin/api-tokens" Roles(ADMIN) => crate::api::admin::create;
    POST "/admin/api-tokens/{id}/revoke" Roles(ADMIN) => crate::api::admin::revoke;
    GET "/kitchen/settings" Roles(KITCHEN_ADMIN) => settings::form;
    POST "/kitchen/settings" Roles(KITCHEN_ADMIN) => settings::save;
}

/// The route table without handlers, for tests and documentation.
pub fn policy() -> Vec<(Method, &'static str, Access)> {
    route_table()
        .into_iter()
        .map(|d| (d.method, d.path, d.access))
        .collect()
}

/// Whether a page is served at `path` (a GET route matches it): a page answering a form posted
/// to a URL that takes no GET links back elsewhere (`auth::middleware`).
pub fn is_page(path: &str) -> bool {
    methods_at(path).contains(&"GET")
}

/// The methods served at `path`, for the `Allow` header of a 405 answer (HEAD wherever GET is).
pub fn allowed_methods(path: &str) -> String {
    methods_at(path).join(", ")
}

/// Whether a POST route serves `path`.
pub fn takes_post(path: &str) -> bool {
    methods_at(path).contains(&"POST")
}

/// The methods the route table serves at `path`, in table order.
fn methods_at(path: &str) -> Vec<&'static str> {
    static ROUTES: std::sync::OnceLock<Vec<(Method, actix_web::dev::ResourceDef)>> =
        std::sync::OnceLock::new();
    let mut out: Vec<&str> = Vec::new();
    for (m, r) in ROUTES.get_or_init(|| {
        policy()
            .into_iter()
            .map(|(m, p, _)| (m, actix_web::dev::ResourceDef::new(p)))
            .collect()
    }) {
        if r.is_match(path) {
            let mut add = |name: &'static str| {
                if !out.contains(&name) {
                    out.push(name);
                }
            };
            match *m {
                Method::GET => {
                    add("GET");
                    add("HEAD");
                }
                Method::POST => add("POST"),
                Method::PUT => add("PUT"),
                Method::DELETE => add("DELETE"),
                Method::PATCH => add("PATCH"),
                _ => {}
            }
        }
    }
    out
}

/// Registers every route, each behind its access guard, grouped into one resource per path.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut by_path: Vec<(&'static str, Vec<RouteDef>)> = Vec::new();
    for d in route_table() {
        match by_path.iter_mut().find(|(p, _)| *p == d.path) {
            Some((_, v)) => v.push(d),
            None => by_path.push((d.path, vec![d])),
        }
    }
    // actix tries resources in order, and a path with a `{segment}` costs a regex match: the
    // fixed paths first (one of them never shadows another), then the patterns in table order.
    by_path.sort_by_key(|(p, _)| p.contains('{'));
    for (path, defs) in by_path {
        let mut res = web::resource(path);
        for d in defs {
            let access = d.access;
            res = res.route(
                d.route
                    .wrap(from_fn(move |req, next| guard(access, req, next))),
            );
        }
        cfg.service(res);
    }
}

async fn guard(
    access: Access,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let user = req.extensions().get::<Ctx>().and_then(|c| c.user.clone());
    if !access.allows(user.as_ref().map(|u| u.roles)) {
        let e = if user.is_none() {
            AppError::LoginRequired
        } else {
            AppError::Forbidden
        };
        return Ok(req.error_response(e));
    }
    if let Some(u) = &user {
        let exempt = matches!(access, Access::SignedIn | Access::Public | Access::ApiToken);
        if u.must_change_password && !exempt {
            let res = ctxmw::see_other("/password", Some("flash.must_change_password"));
            return Ok(req.into_response(res));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The whole application, as served and as tested.
pub fn build(
    state: AppState,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(8 * 1024 * 1024))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|_, _| AppError::BadRequest("err.bad_query").into()),
        )
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .configure(configure)
        .default_service(web::to(not_found))
        .wrap(from_fn(ctxmw::context))
        .wrap(from_fn(outer))
}

async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    // Other systems get JSON under /api/, as from every API route.
    if req.path().starts_with("/api/") {
        return Ok(crate::api::handlers::error(
            StatusCode::NOT_FOUND,
            "not_found",
            "api.err.not_found",
        ));
    }
    Err(AppError::NotFound)
}

/// Outermost: request id, logging, error pages in the user's language, security headers.
async fn outer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let rid = crate::auth::session::random_token()[..12].to_string();
    req.extensions_mut().insert(RequestId(rid.clone()));
    let draining = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.draining.clone());
    let method = req.method().clone();
    let path = req.path().to_string();
    let started = std::time::Instant::now();
    let mut res = match next.call(req).await {
        Ok(r) => r.map_into_boxed_body(),
        Err(e) => {
            // Should not happen (every layer answers with a response), but never leak it.
            tracing::error!(request_id = %rid, error = %e, "unhandled error");
            return Err(e);
        }
    };
    let status = res.status();
    if status.is_server_error() {
        let detail = res
            .response()
            .error()
            .map(|e| e.to_string())
            .unwrap_or_default();
        tracing::error!(request_id = %rid, %method, %path, status = status.as_u16(), error = %detail, "request failed");
    } else if matches!(status.as_u16(), 400 | 413 | 415 | 431) {
        // A malformed request: one line, not an error of ours.
        tracing::warn!(request_id = %rid, %method, %path, status = status.as_u16(), "malformed request");
    } else {
        tracing::debug!(request_id = %rid, %method, %path, status = status.as_u16(), ms = started.elapsed().as_millis() as u64);
    }
    if status.is_client_error() || status.is_server_error() {
        let own_body = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
        if !own_body {
            res = render_error(res, &rid);
        }
    }
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    if !path.starts_with("/static/") {
        h.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    if draining.is_some_and(|d| d.load(std::sync::atomic::Ordering::Relaxed)) {
        res.response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(res)
}

fn render_error(res: ServiceResponse<BoxBody>, rid: &str) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let page = res.response().extensions().get::<ErrorPage>().copied();
    let req = res.request().clone();
    let mut ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .unwrap_or_else(|| Ctx::fallback(&req));
    ctx.request_id = rid.to_string();
    if status == StatusCode::UNAUTHORIZED {
        // A page asked for (GET or HEAD) is where the login leads back to; a POST goes home.
        let next = if req.method() == Method::GET || req.method() == Method::HEAD {
            req.uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
                .to_string()
        } else {
            "/".to_string()
        };
        let to = format!("/login?next={}", crate::ui::forms::q(&next));
        return ServiceResponse::new(req, ctxmw::see_other(&to, None));
    }
    let key = match page {
        Some(p) => p.message,
        None => match status {
            StatusCode::NOT_FOUND => "err.not_found",
            StatusCode::METHOD_NOT_ALLOWED => "err.method",
            StatusCode::PAYLOAD_TOO_LARGE => "err.too_large",
            StatusCode::FORBIDDEN => "err.forbidden",
            s if s.is_client_error() => "err.bad_request",
            _ => "err.internal",
        },
    };
    // "Not saved, try again" is for a change; a page that could not be read for the same
    // reason (database down, pool exhausted, connection lost) says so instead.
    let key = match key {
        "err.not_saved" if matches!(*req.method(), Method::GET | Method::HEAD) => "err.unavailable",
        k => k,
    };
    let body = layout::error_page(&ctx, status.as_u16(), key).into_string();
    let mut out = HttpResponse::build(status);
    out.content_type("text/html; charset=utf-8");
    if status == StatusCode::TOO_MANY_REQUESTS {
        out.insert_header((header::RETRY_AFTER, "60"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        out.insert_header((header::RETRY_AFTER, "5"));
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        // What the address does take (RFC 9110: a 405 names them).
        out.insert_header((header::ALLOW, allowed_methods(req.path())));
    }
    ServiceResponse::new(req, out.body(body))
}

/// Binds and starts the server (used by `canteen serve` and by the tests).
pub fn serve(
    state: AppState,
    listener: std::net::TcpListener,
    workers: usize,
) -> std::io::Result<actix_web::dev::Server> {
    // Database work runs on blocking threads; more of them than connections only queue.
    let blocking = state.config.read_pool_size as usize + 4;
    let server = actix_web::HttpServer::new(move || build(state.clone()))
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        // SIGTERM/SIGINT are handled by `lib::run` (drain first, then a graceful stop that
        // waits up to 30 s for requests still running).
        .disable_signals()
        .shutdown_timeout(30)
        .listen(listener)?
        .run();
    Ok(server)
}
