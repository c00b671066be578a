UPDATE orders SET region = 'eu';
