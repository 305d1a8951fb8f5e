// One schema for both backends: only types both share (Integer, BigInt, Text, Bool, Date,
// Timestamp, Binary).

diesel::table! {
    units (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    persons (id) {
        id -> Integer,
        employee_code -> Text,
        full_name -> Text,
        search_name -> Text,
        unit_id -> Nullable<Integer>,
        category -> Text,
        gender -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        status -> Text,
        status_date -> Nullable<Date>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        allergens -> Text,
        sort_key -> Text,
    }
}

diesel::table! {
    person_history (id) {
        id -> Integer,
        person_id -> Integer,
        effective_date -> Nullable<Date>,
        status -> Text,
        unit_id -> Nullable<Integer>,
        recorded_at -> Timestamp,
        recorded_by -> Nullable<Integer>,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        must_change_password -> Bool,
        disabled -> Bool,
        person_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        disabled_reason -> Nullable<Text>,
        search_name -> Text,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> Integer,
        role -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    data_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        actor_user_id -> Nullable<Integer>,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(persons -> units (unit_id));
diesel::joinable!(users -> persons (person_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(person_history -> persons (person_id));
diesel::joinable!(person_history -> units (unit_id));

diesel::table! {
    dishes (id) {
        id -> Integer,
        name -> Text,
        description -> Text,
        vegetarian -> Bool,
        allergens -> Text,
        active -> Bool,
        created_at -> Timestamp,
        allergen_notes -> Text,
        liquid -> Bool,
    }
}

diesel::table! {
    option_dishes (option_id, dish_id) {
        option_id -> Integer,
        dish_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    notices (id) {
        id -> Integer,
        person_id -> Integer,
        service_date -> Date,
        kind -> Text,
        detail -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_days (service_date) {
        service_date -> Date,
        is_open -> Bool,
        reason -> Nullable<Text>,
        published -> Bool,
        service_closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        makeup_for -> Nullable<Date>,
    }
}

diesel::table! {
    meal_options (id) {
        id -> Integer,
        service_date -> Date,
        name -> Text,
        price_vnd -> BigInt,
        capacity -> Nullable<Integer>,
        vegetarian -> Bool,
        dishes -> Text,
        position -> Integer,
        allergens -> Text,
        allergen_notes -> Text,
    }
}

diesel::table! {
    orders (id) {
        id -> Integer,
        person_id -> Integer,
        service_date -> Date,
        option_id -> Integer,
        price_vnd -> BigInt,
        status -> Text,
        source -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
        served_at -> Nullable<Timestamp>,
        served_by -> Nullable<Integer>,
        cancel_cause -> Nullable<Text>,
        cancel_ref -> Nullable<Text>,
    }
}

diesel::table! {
    guest_meals (id) {
        id -> Integer,
        person_id -> Integer,
        service_date -> Date,
        option_id -> Integer,
        guests -> Integer,
        price_vnd -> BigInt,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        cancel_cause -> Nullable<Text>,
        cancel_ref -> Nullable<Text>,
    }
}

diesel::table! {
    standing_orders (person_id) {
        person_id -> Integer,
        weekdays -> Text,
        prefer_vegetarian -> Bool,
        lunar_vegetarian -> Bool,
        active -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    absences (id) {
        id -> Integer,
        person_id -> Integer,
        start_date -> Date,
        end_date -> Date,
        kind -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    meal_passes (person_id) {
        person_id -> Integer,
        token -> Text,
        rotated_at -> Timestamp,
    }
}

diesel::table! {
    ratings (order_id) {
        order_id -> Integer,
        score -> Integer,
        comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    waste_log (service_date) {
        service_date -> Date,
        prepared -> Integer,
        leftover -> Integer,
        note -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    heartbeat (id) {
        id -> Integer,
        beat_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Integer,
        key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    periods (month) {
        month -> Text,
        state -> Text,
        changed_at -> Timestamp,
        changed_by -> Nullable<Integer>,
    }
}

diesel::table! {
    walk_ins (id) {
        id -> Integer,
        person_id -> Integer,
        service_date -> Date,
        option_id -> Integer,
        price_vnd -> BigInt,
        status -> Text,
        served_at -> Timestamp,
        served_by -> Nullable<Integer>,
        voided_at -> Nullable<Timestamp>,
        voided_by -> Nullable<Integer>,
    }
}

diesel::table! {
    order_events (id) {
        id -> Integer,
        kind -> Text,
        row_id -> Integer,
        person_id -> Integer,
        service_date -> Date,
        at -> Timestamp,
        by_user -> Nullable<Integer>,
        source -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        option_id -> Nullable<Integer>,
        price_vnd -> Nullable<BigInt>,
        guests -> Nullable<Integer>,
        cause -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    funds (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        kind -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    fund_budgets (fund_id, year) {
        fund_id -> Integer,
        year -> Integer,
        planned_vnd -> BigInt,
    }
}

diesel::table! {
    vouchers (id) {
        id -> Integer,
        fund_id -> Integer,
        year -> Integer,
        kind -> Text,
        number -> Integer,
        voucher_date -> Date,
        amount_vnd -> BigInt,
        description -> Text,
        person_id -> Nullable<Integer>,
        source -> Nullable<Text>,
        reverses -> Nullable<Integer>,
        posted_at -> Timestamp,
        posted_by -> Nullable<Integer>,
    }
}

diesel::table! {
    base_salaries (effective_from) {
        effective_from -> Date,
        amount_vnd -> BigInt,
        legal_basis -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    salary_bases (id) {
        id -> Integer,
        person_id -> Integer,
        effective_from -> Date,
        grade_coef_x100 -> Integer,
        allowance_coef_x100 -> Integer,
        note -> Text,
        recorded_at -> Timestamp,
        recorded_by -> Nullable<Integer>,
    }
}

diesel::table! {
    eligibility (id) {
        id -> Integer,
        person_id -> Integer,
        band -> Text,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        basis -> Text,
        decision_no -> Nullable<Text>,
        decision_date -> Nullable<Date>,
        note -> Text,
        decided_at -> Timestamp,
        decided_by -> Nullable<Integer>,
    }
}

diesel::table! {
    subsidy_policies (id) {
        id -> Integer,
        name -> Text,
        covers -> Text,
        covers_value -> Text,
        amount_kind -> Text,
        amount_value -> BigInt,
        monthly_cap -> Nullable<Integer>,
        income_threshold_vnd -> Nullable<BigInt>,
        fund_id -> Integer,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        legal_basis -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    no_show_rules (effective_from) {
        effective_from -> Date,
        charge -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Integer,
        owner_kind -> Text,
        owner_id -> Nullable<Integer>,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> Integer,
        sha256 -> Text,
        content -> Binary,
        uploaded_at -> Timestamp,
        uploaded_by -> Nullable<Integer>,
    }
}

diesel::table! {
    statement_lines (month, order_id) {
        month -> Text,
        order_id -> Integer,
        person_id -> Integer,
        service_date -> Date,
        option_name -> Text,
        charged_vnd -> BigInt,
        subsidy_vnd -> BigInt,
        staff_vnd -> BigInt,
        subsidies -> Text,
    }
}

diesel::table! {
    /// The people of a closed month as they stood at its close (unit, deducted from pay).
    statement_people (month, person_id) {
        month -> Text,
        person_id -> Integer,
        unit_id -> Nullable<Integer>,
        payroll -> Bool,
    }
}

diesel::table! {
    month_closes (month) {
        month -> Text,
        digest -> Text,
        lines -> Integer,
        charged_vnd -> BigInt,
        subsidy_vnd -> BigInt,
        staff_vnd -> BigInt,
        closed_at -> Timestamp,
        closed_by -> Nullable<Integer>,
        adjustments_vnd -> BigInt,
    }
}

diesel::table! {
    once_keys (key) {
        key -> Text,
        used_at -> Timestamp,
    }
}

diesel::table! {
    adjustments (id) {
        id -> Integer,
        month -> Text,
        corrects_month -> Text,
        person_id -> Integer,
        amount_vnd -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    month_notes (month) {
        month -> Text,
        difference_vnd -> BigInt,
        note -> Text,
        written_at -> Timestamp,
        written_by -> Nullable<Integer>,
    }
}

diesel::table! {
    suppliers (id) {
        id -> Integer,
        name -> Text,
        tax_code -> Text,
        address -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    supplier_contracts (id) {
        id -> Integer,
        supplier_id -> Integer,
        reference -> Text,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        bills -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    contract_prices (contract_id, option_name) {
        contract_id -> Integer,
        option_name -> Text,
        price_vnd -> BigInt,
    }
}

diesel::table! {
    supplier_invoices (id) {
        id -> Integer,
        supplier_id -> Integer,
        month -> Text,
        seller_tax_code -> Text,
        template -> Text,
        series -> Text,
        number -> Text,
        issued_on -> Date,
        total_vnd -> BigInt,
        source -> Text,
        attachment_id -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    invoice_lines (invoice_id, line_no) {
        invoice_id -> Integer,
        line_no -> Integer,
        name -> Text,
        quantity -> BigInt,
        amount_vnd -> BigInt,
        service_date -> Nullable<Date>,
        option_name -> Nullable<Text>,
    }
}

diesel::table! {
    eligibility_proposals (id) {
        id -> Integer,
        person_id -> Integer,
        band -> Text,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        reason -> Text,
        proposed_by -> Nullable<Integer>,
        proposed_at -> Timestamp,
        state -> Text,
        decided_by -> Nullable<Integer>,
        decided_at -> Nullable<Timestamp>,
        decline_reason -> Nullable<Text>,
        decision_id -> Nullable<Integer>,
    }
}

diesel::table! {
    signing_keys (id) {
        id -> Integer,
        user_id -> Integer,
        public_key -> Text,
        fingerprint -> Text,
        sealed_secret -> Binary,
        salt -> Binary,
        nonce -> Binary,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signatories (user_id) {
        user_id -> Integer,
        position -> Text,
        title -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    delegations (id) {
        id -> Integer,
        from_user -> Integer,
        to_user -> Integer,
        mode -> Text,
        valid_from -> Date,
        valid_to -> Date,
        reference -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    month_signatures (month, step) {
        month -> Text,
        step -> Integer,
        capacity -> Text,
        signer_id -> Integer,
        signer_name -> Text,
        signer_title -> Text,
        mode -> Text,
        on_behalf_of -> Nullable<Integer>,
        key_id -> Integer,
        signed_at -> Timestamp,
        payload -> Text,
        signature -> Text,
    }
}

diesel::table! {
    report_packs (month) {
        month -> Text,
        digest -> Text,
        xlsx -> Binary,
        xlsx_sha256 -> Text,
        print_html -> Text,
        print_sha256 -> Text,
        generated_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        client -> Text,
        token_hash -> Text,
        prefix -> Text,
        scope -> Text,
        expires_on -> Date,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Integer>,
        window_start -> Nullable<Timestamp>,
        window_calls -> Integer,
    }
}

diesel::table! {
    stat_meals (service_date, unit_key, option_id, kind, status) {
        service_date -> Date,
        unit_key -> Integer,
        option_id -> Integer,
        kind -> Text,
        status -> Text,
        n -> Integer,
    }
}

diesel::table! {
    /// PostgreSQL: +1/−1 of meals not yet folded into `stat_meals` (SQLite: always empty).
    /// Appended and folded, never looked up: no key in the database (diesel needs one named).
    stat_meal_deltas (service_date, unit_key, option_id, kind, status) {
        service_date -> Date,
        unit_key -> Integer,
        option_id -> Integer,
        kind -> Text,
        status -> Text,
        n -> Integer,
    }
}

diesel::table! {
    stat_eaters (month, person_id) {
        month -> Text,
        person_id -> Integer,
        unit_key -> Integer,
        meals -> Integer,
    }
}

diesel::table! {
    stat_subsidy (month, person_id, band, fund_key) {
        month -> Text,
        person_id -> Integer,
        band -> Text,
        fund_key -> Integer,
        meals -> Integer,
        subsidised -> Integer,
        charged -> BigInt,
        subsidy -> BigInt,
        staff -> BigInt,
    }
}

diesel::table! {
    stat_subsidy_months (month, fund_key) {
        month -> Text,
        fund_key -> Integer,
        meals -> BigInt,
        subsidised -> BigInt,
        charged -> BigInt,
        subsidy -> BigInt,
        staff -> BigInt,
        people -> BigInt,
    }
}

diesel::joinable!(statement_lines -> persons (person_id));
diesel::joinable!(statement_people -> units (unit_id));
diesel::joinable!(vouchers -> funds (fund_id));
diesel::joinable!(salary_bases -> persons (person_id));
diesel::joinable!(eligibility -> persons (person_id));
diesel::joinable!(subsidy_policies -> funds (fund_id));
diesel::joinable!(adjustments -> persons (person_id));
diesel::joinable!(signing_keys -> users (user_id));
diesel::joinable!(eligibility_proposals -> persons (person_id));
diesel::joinable!(signatories -> users (user_id));
diesel::joinable!(supplier_contracts -> suppliers (supplier_id));
diesel::joinable!(contract_prices -> supplier_contracts (contract_id));
diesel::joinable!(supplier_invoices -> suppliers (supplier_id));
diesel::joinable!(invoice_lines -> supplier_invoices (invoice_id));

diesel::joinable!(orders -> persons (person_id));
diesel::joinable!(walk_ins -> persons (person_id));
diesel::table! {
    food_certificates (id) {
        id -> Integer,
        supplier_id -> Integer,
        number -> Text,
        issuer -> Text,
        valid_until -> Date,
        attachment_id -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    food_deliveries (id) {
        id -> Integer,
        service_date -> Date,
        supplier_id -> Integer,
        goods -> Text,
        received_at -> Timestamp,
        invoice_ref -> Text,
        note -> Text,
        checked_by -> Integer,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    food_delivery_items (id) {
        id -> Integer,
        delivery_id -> Integer,
        position -> Integer,
        name -> Text,
        quantity -> Text,
        unit -> Text,
        origin -> Text,
        lot_ref -> Text,
        expiry -> Nullable<Date>,
        temperature_dt -> Nullable<Integer>,
        sensory_ok -> Bool,
        note -> Text,
    }
}

diesel::table! {
    food_prep_checks (service_date, dish_id) {
        service_date -> Date,
        dish_id -> Integer,
        started_at -> Timestamp,
        finished_at -> Timestamp,
        people_ok -> Bool,
        tools_ok -> Bool,
        area_ok -> Bool,
        sensory_ok -> Bool,
        note -> Text,
        checked_by -> Integer,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    food_serve_checks (service_date, dish_id) {
        service_date -> Date,
        dish_id -> Integer,
        ready_at -> Timestamp,
        covered_ok -> Bool,
        sensory_ok -> Bool,
        note -> Text,
        checked_by -> Integer,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    food_samples (id) {
        id -> Integer,
        service_date -> Date,
        dish_id -> Integer,
        taken_at -> Timestamp,
        amount -> Integer,
        liquid -> Bool,
        storage_dt -> Integer,
        container -> Text,
        taken_by -> Integer,
        discarded_at -> Nullable<Timestamp>,
        discarded_by -> Nullable<Integer>,
        discard_note -> Text,
    }
}

diesel::table! {
    food_incidents (id) {
        id -> Integer,
        meal_date -> Date,
        affected -> Integer,
        summary -> Text,
        symptoms -> Text,
        people -> Text,
        reported_at -> Timestamp,
        reported_by -> Integer,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<Integer>,
        outcome -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> Integer,
        kind -> Text,
        name -> Text,
        parent_id -> Nullable<Integer>,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        end_reason -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        fund_id -> Nullable<Integer>,
    }
}

diesel::table! {
    memberships (id) {
        id -> Integer,
        person_id -> Integer,
        organisation_id -> Integer,
        role -> Text,
        joined_on -> Date,
        member_since -> Nullable<Date>,
        card_number -> Text,
        collect_by -> Text,
        ended_on -> Nullable<Date>,
        end_reason -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    dependants (id) {
        id -> Integer,
        person_id -> Integer,
        full_name -> Text,
        relationship -> Text,
        date_of_birth -> Nullable<Date>,
        gender -> Nullable<Text>,
        same_as -> Nullable<Integer>,
        died_on -> Nullable<Date>,
        note -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    dues_rules (id) {
        id -> Integer,
        org_kind -> Text,
        applies_to -> Text,
        category -> Nullable<Text>,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        basis -> Text,
        rate_bp -> Integer,
        cap_bp_of_base -> Nullable<Integer>,
        fixed_vnd -> BigInt,
        reference -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    dues_suspensions (id) {
        id -> Integer,
        org_kind -> Text,
        category -> Nullable<Text>,
        valid_from -> Date,
        valid_to -> Date,
        reason -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    dues_exemptions (id) {
        id -> Integer,
        membership_id -> Integer,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        reason -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    dues (id) {
        id -> Integer,
        membership_id -> Integer,
        month -> Text,
        amount_vnd -> BigInt,
        basis_vnd -> BigInt,
        rule_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    dues_payments (dues_id) {
        dues_id -> Integer,
        paid_on -> Date,
        method -> Text,
        receipt_no -> Text,
        amount_vnd -> BigInt,
        recorded_at -> Timestamp,
        recorded_by -> Nullable<Integer>,
        voucher_id -> Nullable<Integer>,
    }
}

diesel::table! {
    benefit_types (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        kind -> Text,
        default_vnd -> BigInt,
        max_vnd -> BigInt,
        per_year_count -> Nullable<Integer>,
        per_year_vnd -> Nullable<BigInt>,
        recipients -> Text,
        fund_id -> Integer,
        regulation -> Text,
        active -> Bool,
        created_at -> Timestamp,
        relatives -> Text,
    }
}

diesel::table! {
    welfare_cases (id) {
        id -> Integer,
        benefit_type_id -> Integer,
        person_id -> Integer,
        dependant_id -> Nullable<Integer>,
        event_date -> Date,
        amount_vnd -> BigInt,
        evidence -> Text,
        state -> Text,
        deceased_key -> Nullable<Text>,
        reported_by -> Integer,
        reported_at -> Timestamp,
        decided_by -> Nullable<Integer>,
        decided_at -> Nullable<Timestamp>,
        reject_reason -> Text,
        voucher_id -> Nullable<Integer>,
        paid_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    occasions (id) {
        id -> Integer,
        name -> Text,
        occasion_date -> Date,
        audience -> Text,
        organisation_id -> Nullable<Integer>,
        child_max_age -> Nullable<Integer>,
        amount_vnd -> BigInt,
        gift -> Text,
        fund_id -> Integer,
        state -> Text,
        frozen_at -> Nullable<Timestamp>,
        frozen_by -> Nullable<Integer>,
        voucher_id -> Nullable<Integer>,
        signed_sheet_id -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    occasion_rows (id) {
        id -> Integer,
        occasion_id -> Integer,
        person_id -> Integer,
        dependant_id -> Nullable<Integer>,
        child_key -> Nullable<Integer>,
        amount_vnd -> BigInt,
        added_reason -> Text,
        removed_reason -> Nullable<Text>,
        received_at -> Nullable<Timestamp>,
        received_by -> Nullable<Integer>,
    }
}

diesel::table! {
    retirees (person_id) {
        person_id -> Integer,
        retired_on -> Nullable<Date>,
        former_unit_id -> Nullable<Integer>,
        address -> Text,
        region -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        health_note -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    pensions (id) {
        id -> Integer,
        person_id -> Integer,
        valid_from -> Date,
        monthly_vnd -> BigInt,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    retiree_visits (id) {
        id -> Integer,
        person_id -> Integer,
        visited_on -> Date,
        reason -> Text,
        visitors -> Text,
        gift -> Text,
        note -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    budget_lines (fund_id, year, line) {
        fund_id -> Integer,
        year -> Integer,
        line -> Text,
        planned_vnd -> BigInt,
    }
}

diesel::joinable!(retirees -> persons (person_id));
diesel::joinable!(retiree_visits -> persons (person_id));
diesel::joinable!(occasion_rows -> occasions (occasion_id));
diesel::joinable!(occasion_rows -> persons (person_id));
diesel::joinable!(memberships -> persons (person_id));
diesel::joinable!(memberships -> organisations (organisation_id));
diesel::joinable!(dependants -> persons (person_id));
diesel::joinable!(dues -> memberships (membership_id));
diesel::joinable!(dues_payments -> dues (dues_id));
diesel::joinable!(dues_exemptions -> memberships (membership_id));
diesel::joinable!(welfare_cases -> persons (person_id));
diesel::joinable!(welfare_cases -> benefit_types (benefit_type_id));
diesel::joinable!(benefit_types -> funds (fund_id));

diesel::joinable!(walk_ins -> meal_options (option_id));
diesel::joinable!(orders -> meal_options (option_id));
diesel::joinable!(guest_meals -> persons (person_id));
diesel::joinable!(guest_meals -> meal_options (option_id));
diesel::joinable!(ratings -> orders (order_id));
diesel::joinable!(option_dishes -> meal_options (option_id));
diesel::joinable!(option_dishes -> dishes (dish_id));
diesel::joinable!(notices -> persons (person_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    persons,
    person_history,
    users,
    user_roles,
    sessions,
    settings,
    audit_log,
    dishes,
    service_days,
    meal_options,
    orders,
    guest_meals,
    standing_orders,
    absences,
    meal_passes,
    ratings,
    waste_log,
    heartbeat,
    login_attempts,
    periods,
    walk_ins,
    order_events,
    option_dishes,
    notices,
    funds,
    fund_budgets,
    vouchers,
    base_salaries,
    salary_bases,
    eligibility,
    subsidy_policies,
    no_show_rules,
    attachments,
    statement_lines,
    statement_people,
    month_closes,
    adjustments,
    month_notes,
    suppliers,
    supplier_contracts,
    contract_prices,
    supplier_invoices,
    invoice_lines,
    once_keys,
    eligibility_proposals,
    signing_keys,
    signatories,
    delegations,
    month_signatures,
    food_certificates,
    food_deliveries,
    food_delivery_items,
    food_prep_checks,
    food_serve_checks,
    food_samples,
    food_incidents,
    organisations,
    memberships,
    dependants,
    dues_rules,
    dues_suspensions,
    dues_exemptions,
    dues,
    dues_payments,
    benefit_types,
    welfare_cases,
    occasions,
    occasion_rows,
    retirees,
    pensions,
    retiree_visits,
    budget_lines,
    stat_meals,
    stat_meal_deltas,
    stat_eaters,
    stat_subsidy,
    stat_subsidy_months,
);
