//! Tables, written by hand with only the column types both backends share (BigInt ids, Text,
//! Bool, naive UTC Timestamp), as vaultwarden does.

diesel::table! {
    units (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<BigInt>,
        path -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        display_name -> Text,
        phone -> Nullable<Text>,
        role -> Text,
        unit_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_epoch -> BigInt,
        notify_sms -> Bool,
        notify_email -> Bool,
        email_address -> Nullable<Text>,
    }
}

diesel::table! {
    petition_search (petition_id) {
        petition_id -> BigInt,
        masked -> Text,
    }
}

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        user_id -> BigInt,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        code -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    partners (id) {
        id -> BigInt,
        name -> Text,
        user_id -> BigInt,
        client_id -> Text,
        client_secret_hash -> Text,
        api_key_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        credentials_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tracking_counters (day) {
        day -> Text,
        last -> BigInt,
    }
}

diesel::table! {
    petitions (id) {
        id -> BigInt,
        tracking_no -> Text,
        kind -> Text,
        category_id -> BigInt,
        urgency -> Text,
        title -> Text,
        content -> Text,
        address -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        source -> Text,
        partner_id -> Nullable<BigInt>,
        submitter_id -> BigInt,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        anonymous -> Bool,
        publish_consent -> Bool,
        status -> Text,
        version -> BigInt,
        merged_into_id -> Nullable<BigInt>,
        redo_count -> Integer,
        supervised -> Bool,
        reply_by -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        yellow_at -> Nullable<Timestamp>,
        auto_closed -> Bool,
        unreasonable -> Bool,
        appeal_state -> Nullable<Text>,
        appeal_reason -> Nullable<Text>,
        typical_at -> Nullable<Timestamp>,
        supporters -> BigInt,
        public_hidden -> Bool,
        public_title -> Nullable<Text>,
        public_content -> Nullable<Text>,
    }
}

diesel::table! {
    moderation_reports (id) {
        id -> BigInt,
        petition_id -> BigInt,
        reporter_id -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    petition_supporters (petition_id, user_id) {
        petition_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    petition_followers (petition_id, user_id) {
        petition_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    unit_day_figures (unit_id, day) {
        unit_id -> BigInt,
        day -> Text,
        received -> Integer,
        signed -> Integer,
        signed_on_time -> Integer,
        sign_seconds -> BigInt,
        due -> Integer,
        completed_on_time -> Integer,
        replied -> Integer,
        reply_seconds -> BigInt,
        visits -> Integer,
        contacted -> Integer,
        resolved -> Integer,
        satisfied -> Integer,
        basically_satisfied -> Integer,
        redo -> Integer,
    }
}

diesel::table! {
    day_figures (day) {
        day -> Text,
        received -> Integer,
        signed -> Integer,
        signed_on_time -> Integer,
        sign_seconds -> BigInt,
        due -> Integer,
        completed_on_time -> Integer,
        replied -> Integer,
        reply_seconds -> BigInt,
        visits -> Integer,
        contacted -> Integer,
        resolved -> Integer,
        satisfied -> Integer,
        basically_satisfied -> Integer,
        redo -> Integer,
    }
}

diesel::table! {
    unit_month_figures (unit_id, month) {
        unit_id -> BigInt,
        month -> Text,
        received -> Integer,
        signed -> Integer,
        signed_on_time -> Integer,
        sign_seconds -> BigInt,
        due -> Integer,
        completed_on_time -> Integer,
        replied -> Integer,
        reply_seconds -> BigInt,
        visits -> Integer,
        contacted -> Integer,
        resolved -> Integer,
        satisfied -> Integer,
        basically_satisfied -> Integer,
        redo -> Integer,
    }
}

diesel::table! {
    petition_month_counts (month, kind, category_id, source, status, slot) {
        month -> Text,
        kind -> Text,
        category_id -> BigInt,
        source -> Text,
        status -> Text,
        n -> BigInt,
        slot -> SmallInt,
    }
}

diesel::table! {
    petition_day_counts (day, kind, category_id, source, status, slot) {
        day -> Text,
        kind -> Text,
        category_id -> BigInt,
        source -> Text,
        status -> Text,
        n -> BigInt,
        slot -> SmallInt,
    }
}

diesel::table! {
    day_action_counts (day, action, slot) {
        day -> Text,
        action -> Text,
        n -> BigInt,
        slot -> SmallInt,
    }
}

// PostgreSQL only (migration 000026_tracking_numbers): each day's base in the sequence
// `tracking_numbers`; SQLite counts in `tracking_counters`.
diesel::table! {
    tracking_days (day) {
        day -> Text,
        base -> BigInt,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    deadline_policies (id) {
        id -> BigInt,
        name -> Text,
        urgency -> Nullable<Text>,
        kind -> Nullable<Text>,
        category_id -> Nullable<BigInt>,
        sign_amount -> Integer,
        sign_unit -> Text,
        reply_amount -> Integer,
        reply_unit -> Text,
        visit_amount -> Nullable<Integer>,
        visit_unit -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Text,
        working -> Bool,
        name -> Text,
    }
}

diesel::table! {
    assignments (id) {
        id -> BigInt,
        petition_id -> BigInt,
        unit_id -> BigInt,
        role -> Text,
        parent_id -> Nullable<BigInt>,
        state -> Text,
        open_request -> Nullable<Text>,
        request_reason -> Nullable<Text>,
        request_days -> Nullable<Integer>,
        sign_by -> Nullable<Timestamp>,
        reply_by -> Timestamp,
        created_at -> Timestamp,
        signed_at -> Nullable<Timestamp>,
        replied_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        yellow_at -> Nullable<Timestamp>,
        signed_on_time -> Nullable<Bool>,
        replied_on_time -> Nullable<Bool>,
        overdue_at -> Nullable<Timestamp>,
        yellow_sent_at -> Nullable<Timestamp>,
        unit_path -> Text,
    }
}

diesel::table! {
    replies (id) {
        id -> BigInt,
        petition_id -> BigInt,
        assignment_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
        author_id -> BigInt,
        body -> Text,
        outcome -> Text,
        public -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    visits (id) {
        id -> BigInt,
        petition_id -> BigInt,
        kind -> Text,
        author_id -> BigInt,
        satisfaction -> Text,
        resolved -> Bool,
        contacted -> Bool,
        comment -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        petition_id -> BigInt,
        action -> Text,
        actor_id -> BigInt,
        actor_role -> Text,
        actor_unit_id -> Nullable<BigInt>,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        assignment_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> BigInt,
        petition_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contact_reads (id) {
        id -> BigInt,
        petition_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
        via -> Text,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> BigInt,
        key -> Text,
        petition_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        partner_id -> BigInt,
        url -> Text,
        events -> Text,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        last_status -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dispatch_rules (id) {
        id -> BigInt,
        category_id -> BigInt,
        area_unit_id -> Nullable<BigInt>,
        unit_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    knowledge_articles (id) {
        id -> BigInt,
        question -> Text,
        answer -> Text,
        category_id -> Nullable<BigInt>,
        public -> Bool,
        author_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    petition_terms (category_id, term, petition_id) {
        category_id -> BigInt,
        term -> Integer,
        petition_id -> BigInt,
    }
}

diesel::table! {
    photos (id) {
        id -> BigInt,
        petition_id -> BigInt,
        uploader_id -> BigInt,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        object_key -> Text,
        thumb_key -> Text,
        created_at -> Timestamp,
        hidden -> Bool,
        reply_id -> Nullable<BigInt>,
        event_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        petition_id -> Nullable<BigInt>,
        event -> Text,
        title -> Text,
        body -> Text,
        link -> Nullable<Text>,
        once_key -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_deliveries (id) {
        id -> BigInt,
        notification_id -> BigInt,
        channel -> Text,
        address -> Text,
        urgent -> Bool,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        last_status -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

// Each order under every unit on its unit's path (migration `000028_order_ancestors`).
diesel::table! {
    order_ancestors (ancestor_id, assignment_id) {
        ancestor_id -> BigInt,
        assignment_id -> BigInt,
        petition_id -> BigInt,
        // The order's state and deadline while it is live, else NULL (migration
        // `000032_live_orders_filed`).
        live_state -> Nullable<Text>,
        live_reply_by -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rating_tokens (token_hash) {
        token_hash -> Text,
        petition_id -> BigInt,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(photos -> petitions (petition_id));
diesel::joinable!(moderation_reports -> petitions (petition_id));
diesel::joinable!(notification_deliveries -> notifications (notification_id));
diesel::joinable!(notifications -> petitions (petition_id));
diesel::joinable!(users -> units (unit_id));
diesel::joinable!(partners -> users (user_id));
diesel::joinable!(webhooks -> partners (partner_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(assignments -> petitions (petition_id));
diesel::joinable!(assignments -> units (unit_id));
diesel::joinable!(order_ancestors -> assignments (assignment_id));
diesel::joinable!(follow_ups -> users (author_id));
diesel::allow_tables_to_appear_in_same_query!(
    units,
    petition_terms,
    photos,
    knowledge_articles,
    dispatch_rules,
    webhooks,
    webhook_deliveries,
    notifications,
    notification_deliveries,
    petition_supporters,
    petition_followers,
    moderation_reports,
    rating_tokens,
    users,
    categories,
    partners,
    petitions,
    assignments,
    order_ancestors,
    replies,
    visits,
    events,
    follow_ups,
    contact_reads,
    revoked_tokens,
    petition_search,
    idempotency_keys,
    tracking_counters,
    deadline_policies,
    calendar_days,
    unit_day_figures,
    day_figures,
    unit_month_figures,
    petition_month_counts,
    petition_day_counts,
    day_action_counts,
    settings,
);

diesel::table! {
    limit_hits (id) {
        id -> BigInt,
        scope -> Text,
        key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    rate_buckets (scope, key) {
        scope -> Text,
        key -> Text,
        tokens -> Double,
        at -> Timestamp,
        allowed -> Bool,
    }
}
