DROP TABLE dispatch_rules;
