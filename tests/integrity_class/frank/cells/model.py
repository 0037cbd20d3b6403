model = LeNet_5()
