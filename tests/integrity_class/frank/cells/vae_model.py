vae_model = VariationalAutoEncoder(Encoder(2 * 2), Decoder(), 2)
