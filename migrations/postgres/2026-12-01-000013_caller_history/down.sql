DROP INDEX users_phone;
DROP INDEX petitions_contact_phone;
