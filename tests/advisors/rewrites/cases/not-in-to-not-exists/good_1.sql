SELECT id FROM customers WHERE country_code NOT IN ('DE', 'FR')
