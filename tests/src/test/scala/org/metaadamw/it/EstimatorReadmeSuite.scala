package org.metaadamw.it

import java.nio.charset.StandardCharsets

import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator
import org.apache.spark.ml.linalg.Vectors
import org.apache.spark.ml.tuning.{CrossValidator, ParamGridBuilder}
import org.apache.spark.sql.SparkSession
import org.deeplearning4j.nn.conf.NeuralNetConfiguration
import org.deeplearning4j.nn.conf.layers.{DenseLayer, OutputLayer}
import org.deeplearning4j.nn.weights.WeightInit
import org.metaadamw.ml.{MetaAdamWEstimator, MetaAdamWModel}
import org.nd4j.linalg.activations.Activation
import org.nd4j.linalg.lossfunctions.LossFunctions
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/**
 * The README's Scala snippet, compiled and run: a CrossValidator over the Estimator's learning rate
 * on real data (Iris, the UCI set bundled in deeplearning4j-core), in local Spark.
 */
class EstimatorReadmeSuite extends AnyFunSuite with BeforeAndAfterAll {
  private var spark: SparkSession = _

  override def beforeAll(): Unit =
    spark = SparkSession.builder().master("local[2]").appName("readme-scala")
      .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate()

  override def afterAll(): Unit = if (spark != null) spark.stop()

  test("the README's Scala snippet runs: CrossValidator over learningRate picks a model from the grid") {
    val in = getClass.getResourceAsStream("/iris.dat")
    assert(in != null, "iris.dat (deeplearning4j-core) is not on the test classpath")
    val rows = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim.split("\\R").toSeq.map { l =>
      val c = l.split(",")
      (Vectors.dense(c.take(4).map(_.toDouble)), c(4).trim.toDouble)
    }
    val df = spark.createDataFrame(scala.util.Random.javaRandomToRandom(new java.util.Random(7)).shuffle(rows))
      .toDF("features", "label").coalesce(2)
    val conf = new NeuralNetConfiguration.Builder().seed(5).weightInit(WeightInit.XAVIER).list()
      .layer(new DenseLayer.Builder().nIn(4).nOut(12).activation(Activation.TANH).build())
      .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(3).activation(Activation.SOFTMAX).build())
      .build()

    // as in the README, with a small minibatch and holdout for 150 rows
    val est = new MetaAdamWEstimator().setNetwork(conf).setEpochs(10).setLearningRate(1e-3)
      .setBatchSize(8).setConf("validationHoldout", "4").setNumWorkers(2)
    val cv = new CrossValidator().setEstimator(est)
      .setEstimatorParamMaps(new ParamGridBuilder().addGrid(est.learningRate, Array(3e-4, 1e-3, 3e-3)).build())
      .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setNumFolds(3)
    val fitted = cv.fit(df)
    val best = fitted.bestModel.asInstanceOf[MetaAdamWModel]
    info(s"mean accuracy per lr: ${fitted.avgMetrics.map(m => f"$m%.3f").mkString(", ")}; best lr ${best.config().learningRate()}")
    assert(Seq(3e-4, 1e-3, 3e-3).contains(best.config().learningRate()))
    assert(fitted.avgMetrics.max > 0.6, "the best lr must learn Iris beyond chance (1/3)")
  }
}
