DROP TABLE order_ancestors;
