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
    }
}

diesel::joinable!(users -> units (unit_id));
diesel::joinable!(partners -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(units, users, categories, partners);
