ae_model = AutoEncoder(encoder=Encoder(latent_dimensionality=2), decoder=Decoder(latent_dimensionality=2))
