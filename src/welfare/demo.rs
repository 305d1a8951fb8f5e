//! Demo welfare data: the grassroots union with a union group, a union dissolved on 15/06/2025
//! with its history, a Party cell, a retiree liaison board; dues rules (union dues 1 % then
//! 0,5 % from July 2025, capped at 10 % of the base salary; Party dues 1 %), last month's dues
//! (mostly paid, a few in arrears) and this month's; dependants (a few children of two staff
//! parents); the benefit catalogue; cases in each state paid from a union fund.

use super::cases::{self, NewBenefitType, NewCase};
use super::dues::{self, NewRule};
use super::rules::{BenefitKind, Collect, MemberRole, OrgKind, Relationship};
use super::store::{self, NewDependant, NewMembership, NewOrganisation};
use crate::audit::Actor;
use crate::auth::roles::{Role, RoleSet};
use crate::clock::Clock;
use crate::db::DbConn;
use crate::error::AppError;
use crate::ledger::store as ledger;
use crate::money::Vnd;
use chrono::{Datelike, Duration, NaiveDate};

fn user(c: &mut DbConn, name: &str) -> Result<Actor, AppError> {
    let u = crate::auth::store::by_username(c, name)?
        .ok_or_else(|| AppError::internal("demo account missing"))?;
    Ok(Actor::user(u.id, &u.username))
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::internal("demo date"))
}

const CHILDREN: &[&str] = &[
    "Minh An",
    "Bảo Ngọc",
    "Gia Huy",
    "Khánh Linh",
    "Đức Minh",
    "Thảo Vy",
    "Quang Huy",
    "Phương Anh",
    "Tuấn Kiệt",
    "Hà My",
    "Nhật Nam",
    "Thu Trang",
];

/// Family names for the demo's children (a name has letters only, as the dependant form asks).
const SURNAMES: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"];

pub fn load(
    c: &mut DbConn,
    clock: &Clock,
    person_ids: &[i32],
    retirees_from: usize,
) -> Result<(), AppError> {
    let now = clock.now_naive();
    let today = clock.today();
    let officer = user(c, "congdoan")?;
    let approver = user(c, "duyet")?;
    let accountant = user(c, "ketoan")?;
    let org = |c: &mut DbConn, kind, name: &str, parent, from| {
        store::create_organisation(
            c,
            &officer,
            now,
            &NewOrganisation {
                kind,
                name: name.into(),
                parent_id: parent,
                started_on: from,
            },
        )
    };
    let union = org(
        c,
        OrgKind::Union,
        "Công đoàn cơ sở Văn phòng Bộ",
        None,
        ymd(2015, 1, 1)?,
    )?;
    let group = org(
        c,
        OrgKind::UnionGroup,
        "Tổ công đoàn Phòng Hành chính",
        Some(union),
        ymd(2015, 1, 1)?,
    )?;
    let old = org(
        c,
        OrgKind::Union,
        "Công đoàn Vụ Thi đua – Khen thưởng (cũ)",
        None,
        ymd(2012, 3, 1)?,
    )?;
    let cell = org(
        c,
        OrgKind::PartyCell,
        "Chi bộ Văn phòng",
        None,
        ymd(2010, 5, 1)?,
    )?;
    let board = org(
        c,
        OrgKind::RetireeBoard,
        "Ban liên lạc cán bộ hưu trí",
        None,
        ymd(2008, 1, 1)?,
    )?;
    let join =
        |c: &mut DbConn, o: i32, p: i32, role: MemberRole, from: NaiveDate, collect: Collect| {
            store::join(
                c,
                &officer,
                now,
                &NewMembership {
                    person_id: p,
                    organisation_id: o,
                    role,
                    joined_on: from,
                    member_since: None,
                    card_number: String::new(),
                    collect_by: collect,
                },
            )
        };
    let working = &person_ids[..retirees_from.saturating_sub(1).min(person_ids.len())];
    // The old union's members moved to the office union when it was merged.
    for p in working.iter().skip(100).take(10) {
        join(
            c,
            old,
            *p,
            MemberRole::Member,
            ymd(2016, 1, 1)?,
            Collect::Cash,
        )?;
    }
    store::dissolve(
        c,
        &officer,
        now,
        old,
        ymd(2025, 6, 15)?,
        "Sáp nhập vào Công đoàn cơ sở Văn phòng Bộ theo Quyết định tổ chức lại",
    )?;
    for (i, p) in working.iter().enumerate() {
        let role = match i {
            0 => MemberRole::Chair,
            1 => MemberRole::ViceChair,
            2 => MemberRole::Treasurer,
            _ => MemberRole::Member,
        };
        let collect = if i % 10 == 9 {
            Collect::Cash
        } else {
            Collect::Payroll
        };
        let since = if (100..110).contains(&i) {
            ymd(2025, 6, 16)?
        } else {
            ymd(2021, 1, 1)?
        };
        join(c, union, *p, role, since, collect)?;
        if i < 12 {
            join(
                c,
                group,
                *p,
                if i == 3 {
                    MemberRole::GroupLeader
                } else {
                    MemberRole::Member
                },
                ymd(2021, 1, 1)?,
                collect,
            )?;
        }
        if i % 4 == 0 {
            join(
                c,
                cell,
                *p,
                if i == 0 {
                    MemberRole::Secretary
                } else {
                    MemberRole::Member
                },
                ymd(2019, 6, 1)?,
                Collect::Payroll,
            )?;
        }
    }
    for p in person_ids.iter().skip(retirees_from.saturating_sub(1)) {
        join(
            c,
            board,
            *p,
            MemberRole::Member,
            ymd(2018, 1, 1)?,
            Collect::Cash,
        )?;
    }
    let retiree_ids: Vec<i32> = person_ids
        .iter()
        .skip(retirees_from.saturating_sub(1))
        .copied()
        .collect();
    // Retiree records: where they live, who to call, their pension; last Tết's visits and this
    // year's milestone visits for some.
    {
        use super::retirees::{self, NewVisit};
        let regions = [
            "Ba Đình",
            "Đống Đa",
            "Cầu Giấy",
            "Thanh Xuân",
            "Hà Đông",
            "Long Biên",
        ];
        let streets = [
            "Kim Mã",
            "Tôn Đức Thắng",
            "Trần Duy Hưng",
            "Nguyễn Trãi",
            "Quang Trung",
            "Ngọc Lâm",
        ];
        let units = crate::people::store::all_units(c)?;
        for (i, p) in retiree_ids.iter().enumerate() {
            let region = regions[i % regions.len()];
            let (_, mut rec, _) = retirees::retiree(c, *p)?;
            rec.former_unit_id = units
                .get(1 + i % units.len().max(2).saturating_sub(1))
                .map(|u| u.id);
            rec.address = format!(
                "{} {}, {}, Hà Nội",
                10 + i * 7,
                streets[i % streets.len()],
                region
            );
            rec.region = region.to_string();
            rec.contact_name = format!("{} (con)", CHILDREN[i % CHILDREN.len()]);
            rec.contact_phone = format!("09{:08}", 12_345_678 + i * 1_111);
            if i % 7 == 3 {
                rec.health_note =
                    "Huyết áp cao, đi lại khó khăn: nên thăm tại nhà buổi sáng".into();
            }
            retirees::save(c, &officer, now, *p, &rec, None)?;
            let pension = 5_200_000 + (i as i64 % 9) * 550_000;
            retirees::add_pension(c, &officer, now, *p, ymd(2024, 7, 1)?, Vnd(pension), false)?;
            retirees::add_pension(
                c,
                &officer,
                now,
                *p,
                ymd(2025, 7, 1)?,
                Vnd(pension + pension * 15 / 100),
                false,
            )?;
            // Visits already paid (and before the death recorded below).
            let tet = ymd(today.year(), 1, 20 + (i % 8) as u32)?;
            if i % 3 != 2 && tet < today - Duration::days(40) {
                retirees::add_visit(
                    c,
                    &officer,
                    now,
                    *p,
                    &NewVisit {
                        visited_on: tet,
                        reason: "tet".into(),
                        visitors: "Đ/c Chủ tịch CĐ, Trưởng ban liên lạc hưu trí".into(),
                        gift: "Quà Tết 500.000 ₫".into(),
                        note: String::new(),
                    },
                )?;
            }
        }
        // Retired Party members keep paying dues on their pension.
        for p in retiree_ids.iter().take(3) {
            join(
                c,
                cell,
                *p,
                MemberRole::Member,
                ymd(2018, 1, 1)?,
                Collect::Cash,
            )?;
        }
    }

    // Dues rules: union dues 1 % until June 2025, 0,5 % since, capped at 10 % of the base salary.
    for (kind, from, to, bp, cap, reference) in [
        (
            OrgKind::Union,
            ymd(2020, 1, 1)?,
            Some(ymd(2025, 6, 30)?),
            100,
            Some(1000),
            "Quyết định 1910/QĐ-TLĐ",
        ),
        (
            OrgKind::Union,
            ymd(2025, 7, 1)?,
            None,
            50,
            Some(1000),
            "Quy định về đoàn phí công đoàn từ 01/7/2025",
        ),
        (
            OrgKind::PartyCell,
            ymd(2020, 1, 1)?,
            None,
            100,
            None,
            "Quy định 01-QĐ/TW về đảng phí",
        ),
    ] {
        dues::add_rule(
            c,
            &officer,
            now,
            &NewRule {
                org_kind: kind,
                applies_to: "working".into(),
                category: None,
                valid_from: from,
                valid_to: to,
                basis: "salary".into(),
                rate_bp: bp,
                cap_bp_of_base: cap,
                fixed_vnd: 0,
                reference: reference.into(),
            },
        )?;
    }
    dues::add_rule(
        c,
        &officer,
        now,
        &NewRule {
            org_kind: OrgKind::PartyCell,
            applies_to: "retired".into(),
            category: None,
            valid_from: ymd(2020, 1, 1)?,
            valid_to: None,
            basis: "pension".into(),
            rate_bp: 50,
            cap_bp_of_base: None,
            fixed_vnd: 0,
            reference: "Quy định 01-QĐ/TW: đảng viên nghỉ hưu đóng 0,5 % lương hưu".into(),
        },
    )?;
    let this = today.format("%Y-%m").to_string();
    let last_first = (today.with_day(1).unwrap_or(today) - Duration::days(1))
        .with_day(1)
        .unwrap_or(today);
    let last = last_first.format("%Y-%m").to_string();
    for o in [union, cell] {
        dues::generate(c, &officer, now, o, &last)?;
        dues::generate(c, &officer, now, o, &this)?;
    }
    // A union fund, receiving the union's dues.
    let fund = ledger::create_fund(c, &officer, now, "CĐ", "Quỹ công đoàn cơ sở", "union")?;
    store::set_fund(c, &officer, now, union, Some(fund))?;
    // Last month's dues were collected with this month's pay (last month is closed), and in
    // cash from some of those paying in cash.
    let collected_on = today.min(today.with_day(5).unwrap_or(today));
    dues::collect_payroll(c, &officer, now, union, &last, collected_on)?;
    for (n, line) in dues::month_lines(c, union, &last)?.iter().enumerate() {
        if line.collect_by != Collect::Cash.code() || n % 3 != 0 {
            continue;
        }
        dues::pay(
            c,
            &officer,
            now,
            line.dues_id,
            collected_on,
            Collect::Cash,
            &format!("BL{:04}", 100 + n),
        )?;
    }

    // Dependants: children; three are children of two staff parents (recorded under each).
    for (i, p) in working.iter().take(24).enumerate() {
        let name = CHILDREN[(i / 2) % CHILDREN.len()];
        let shared = i < 6;
        let (child, born) = if shared {
            (name.to_string(), ymd(2015 + (i / 2) as i32, 3, 10)?)
        } else {
            (
                format!(
                    "{} {}",
                    SURNAMES[i % SURNAMES.len()],
                    CHILDREN[i % CHILDREN.len()]
                ),
                ymd(2010 + (i % 12) as i32, 1 + (i % 12) as u32, 5)?,
            )
        };
        store::add_dependant(
            c,
            &officer,
            now,
            &NewDependant {
                person_id: *p,
                full_name: child,
                relationship: Relationship::Child,
                date_of_birth: Some(born),
                gender: Some(if i % 2 == 0 { "male" } else { "female" }.into()),
                same_as: None,
                note: String::new(),
            },
        )?;
    }
    let parent = store::add_dependant(
        c,
        &officer,
        now,
        &NewDependant {
            person_id: working[20],
            full_name: "Nguyễn Văn Thân".into(),
            relationship: Relationship::Parent,
            date_of_birth: Some(ymd(1948, 4, 2)?),
            gender: Some("male".into()),
            same_as: None,
            note: String::new(),
        },
    )?;

    // The catalogue.
    ledger::post(
        c,
        &accountant,
        now,
        &ledger::NewVoucher {
            fund,
            kind: ledger::RECEIPT,
            date: today.with_day(1).unwrap_or(today),
            amount: Vnd(40_000_000),
            description: "Kinh phí công đoàn được cấp lại",
            person: None,
            source: Some("manual:allocation"),
        },
    )?;
    // The year's plan by line.
    crate::ledger::lines::set_lines(
        c,
        &accountant,
        now,
        fund,
        today.year(),
        &[
            ("dues", Some(Vnd(60_000_000))),
            ("allocation", Some(Vnd(40_000_000))),
            ("sick", Some(Vnd(8_000_000))),
            ("hospital", Some(Vnd(6_000_000))),
            ("funeral", Some(Vnd(12_000_000))),
            ("wedding", Some(Vnd(4_000_000))),
            ("birth", Some(Vnd(4_000_000))),
            ("hardship", Some(Vnd(10_000_000))),
            ("occasion", Some(Vnd(30_000_000))),
        ],
    )?;
    let mut types = Vec::new();
    for (code, name, kind, default, max, per_year, relatives) in [
        (
            "om",
            "Thăm ốm",
            BenefitKind::Sick,
            500_000,
            1_000_000,
            Some(3),
            "self",
        ),
        (
            "nam-vien",
            "Nằm viện",
            BenefitKind::Hospital,
            1_000_000,
            2_000_000,
            Some(2),
            "self",
        ),
        (
            "hieu-tu-than",
            "Phúng viếng tứ thân phụ mẫu",
            BenefitKind::Funeral,
            2_000_000,
            2_000_000,
            None,
            "parent,parent_in_law",
        ),
        (
            "hy",
            "Mừng đám cưới",
            BenefitKind::Wedding,
            1_000_000,
            1_000_000,
            Some(1),
            "self",
        ),
        (
            "sinh-con",
            "Mừng sinh con",
            BenefitKind::Birth,
            1_000_000,
            1_000_000,
            Some(2),
            "self",
        ),
        (
            "kho-khan",
            "Hỗ trợ hoàn cảnh khó khăn",
            BenefitKind::Hardship,
            2_000_000,
            5_000_000,
            Some(1),
            "self",
        ),
        (
            "nghi-huu",
            "Chia tay nghỉ hưu",
            BenefitKind::Retirement,
            2_000_000,
            2_000_000,
            Some(1),
            "self",
        ),
    ] {
        types.push(cases::add_benefit_type(
            c,
            &officer,
            now,
            &NewBenefitType {
                code: code.into(),
                name: name.into(),
                kind,
                default_vnd: Vnd(default),
                max_vnd: Vnd(max),
                per_year_count: per_year,
                per_year_vnd: None,
                recipients: "members".into(),
                fund_id: fund,
                regulation: "Quy chế chi tiêu nội bộ công đoàn 2026".into(),
                relatives: relatives.into(),
            },
        )?);
    }
    // The funeral of a retiree themself, paid to retirees.
    let retiree_funeral = cases::add_benefit_type(
        c,
        &officer,
        now,
        &NewBenefitType {
            code: "hieu-huu-tri".into(),
            name: "Phúng viếng cán bộ hưu trí từ trần".into(),
            kind: BenefitKind::Funeral,
            default_vnd: Vnd(3_000_000),
            max_vnd: Vnd(3_000_000),
            per_year_count: None,
            per_year_vnd: None,
            recipients: "retirees".into(),
            fund_id: fund,
            regulation: "Quy chế chi tiêu nội bộ công đoàn 2026".into(),
            relatives: "self".into(),
        },
    )?;
    let approver_roles: RoleSet = [Role::Approver].into_iter().collect();
    let accountant_roles: RoleSet = [Role::Accountant].into_iter().collect();
    let day = |n: i64| (today - Duration::days(n)).max(today.with_day(1).unwrap_or(today));
    let report = |c: &mut DbConn,
                  t: usize,
                  p: i32,
                  dep: Option<i32>,
                  when: NaiveDate,
                  evidence: &str|
     -> Result<i32, AppError> {
        cases::report(
            c,
            &officer,
            now,
            &NewCase {
                benefit_type_id: types[t],
                person_id: p,
                dependant_id: dep,
                event_date: when,
                amount: None,
                evidence: evidence.into(),
            },
        )?
        .map_err(|_| AppError::internal("demo case refused"))
    };
    // Reported, waiting for a decision.
    report(
        c,
        0,
        working[5],
        None,
        day(2),
        "Điều trị ngoại trú, giấy ra viện",
    )?;
    // Approved, not paid yet.
    let approved = report(
        c,
        1,
        working[8],
        None,
        day(6),
        "Giấy ra viện Bệnh viện Bạch Mai",
    )?;
    cases::decide(c, &approver, approver_roles, now, approved, true, "")?;
    // Paid.
    for (t, p, dep, n, ev) in [
        (3, working[12], None, 10, "Thiệp mời cưới"),
        (2, working[20], Some(parent), 4, "Giấy báo tử"),
    ] {
        let id = report(c, t, p, dep, day(n), ev)?;
        cases::decide(c, &approver, approver_roles, now, id, true, "")?;
        cases::pay(c, &accountant, accountant_roles, now, id, today, "")?;
    }
    // This year's Trung thu list: members' children under 15 on the day, one gift per child;
    // frozen into one payment voucher, a few signed for.
    let trung_thu = ymd(today.year(), 9, 25)?.min(today);
    let occ = super::occasions::create(
        c,
        &officer,
        now,
        &super::occasions::NewOccasion {
            name: format!("Tết Trung thu {}", today.year()),
            occasion_date: trung_thu,
            audience: "children".into(),
            organisation_id: Some(union),
            child_max_age: Some(15),
            amount: Vnd(150_000),
            gift: "Hộp bánh, đèn ông sao".into(),
            fund_id: fund,
        },
    )?;
    super::occasions::freeze(
        c,
        &officer,
        RoleSet::empty().with(Role::UnionOfficer),
        now,
        occ,
        "",
    )?;
    for l in super::occasions::lines(c, occ)?.iter().take(5) {
        super::occasions::received(c, &officer, now, l.id)?;
    }
    // Retirees: some reach a milestone this year; one died.
    {
        use crate::db::schema::persons;
        use diesel::prelude::*;
        let retirees: Vec<i32> = person_ids
            .iter()
            .skip(retirees_from.saturating_sub(1))
            .copied()
            .collect();
        for (i, p) in retirees.iter().enumerate() {
            let age = [70, 75, 80, 90, 72, 68, 77, 83, 86, 71, 74, 79, 81, 66, 69][i % 15];
            let born = ymd(today.year() - age, 1 + (i % 12) as u32, 10)?;
            diesel::update(persons::table.find(p))
                .set(persons::date_of_birth.eq(born))
                .execute(c)?;
        }
        if let Some(p) = retirees.get(4) {
            super::retirees::record_death(
                c,
                &officer,
                now,
                *p,
                today - Duration::days(40),
                "Từ trần",
            )?;
            let died = today - Duration::days(40);
            cases::report(
                c,
                &officer,
                now,
                &NewCase {
                    benefit_type_id: retiree_funeral,
                    person_id: *p,
                    dependant_id: None,
                    event_date: died,
                    amount: None,
                    evidence: "Cáo phó của gia đình".into(),
                },
            )?
            .map_err(|_| AppError::internal("demo funeral case"))?;
        }
    }
    // Rejected.
    let rejected = report(c, 5, working[30], None, day(3), "Đơn đề nghị hỗ trợ")?;
    cases::decide(
        c,
        &approver,
        approver_roles,
        now,
        rejected,
        false,
        "Chưa đủ điều kiện theo quy chế: thu nhập bình quân trên mức hỗ trợ",
    )?;
    Ok(())
}
