ae_model = AutoEncoder(decoder=Decoder(latent_dimensionality=2), encoder=Encoder(latent_dimensionality=2))
