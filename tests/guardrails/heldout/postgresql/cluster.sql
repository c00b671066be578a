SET lock_timeout = '2s';
CLUSTER orders USING orders_customer_id_idx; -- expect: vacuum-full-or-cluster
